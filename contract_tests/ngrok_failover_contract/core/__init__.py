"""What every layer rests on: the spec and its facts, the API's shape read from them, an
exchange, the property registry and the verdicts. Imports no other layer."""
