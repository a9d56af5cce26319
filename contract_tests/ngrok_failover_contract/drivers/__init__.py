"""What sends requests and decides what to send: Schemathesis's operations and links, the
model state machine, strategies, page walks and the shards that run side by side."""
