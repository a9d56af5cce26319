"""Reference server for the ngrok Failover Backends API."""
