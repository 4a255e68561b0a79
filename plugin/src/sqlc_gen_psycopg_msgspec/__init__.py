"""sqlc-gen-psycopg-msgspec: a sqlc process plugin emitting typed psycopg 3 + msgspec code."""

# The one place of the version: pyproject.toml reads it, generated headers print it.
__version__ = "0.2.0"
