"""Planning: every naming decision and every check, from the request to a plan of what to emit."""
