"""The test modules the suite runs against a server."""
