"""Live room events: rooms x members sockets on two `rhythm serve` instances, and baselines."""
