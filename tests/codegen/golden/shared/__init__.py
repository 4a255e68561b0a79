"""Golden output of corpus case shared."""
