"""Makes the shared test helpers in tests/ importable from every test folder."""
