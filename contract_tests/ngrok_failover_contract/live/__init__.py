"""A live account's safety: the gate every request passes, the run marker, the HTTP client,
the ledger of what the run owns, the sweep of what it left and the preflight."""
