"""What a server is held to: the named properties (by theme, gathered in `Judge`), the
documented view of the spec, the failure filter and the Schemathesis check adapters."""
