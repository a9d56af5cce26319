"""How a run is made: the options model, the commands, the session and the pytest plugin."""
