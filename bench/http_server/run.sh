#!/usr/bin/env bash
# The "ASGI server" measurement of docs/benchmarks.md, in one command (needs wrk: apt-get install -y wrk).
set -euo pipefail
cd "$(dirname "$0")/../.."
make --quiet install
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
exec .venv/bin/python -m bench.http_server.bench "$@"
