"""sqlc-gen-psycopg-msgspec: a sqlc process plugin emitting typed psycopg 3 + msgspec code.

`main` reads sqlc's request and writes the response; `generate` runs the three steps, one
subpackage each: `reading` (the request, the options, the catalog), `planning` (every name and
every check, into a plan) and `render` (the plan as Python, laid out as `ruff format` would).
"""

# The one place of the version: pyproject.toml reads it, generated headers print it.
__version__ = "0.2.0"
