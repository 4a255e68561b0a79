"""sqlc-gen-python: a sqlc process plugin emitting typed psycopg 3 + msgspec code."""

__version__ = "0.1.0"
