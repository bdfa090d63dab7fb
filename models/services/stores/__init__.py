"""The read model: stored engine rows (refresh), their hooks, the drift check and the one read API."""
