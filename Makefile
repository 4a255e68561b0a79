# Two entry points: `make run` and `make test`. Both bootstrap what they need, idempotently.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install lint typecheck check-generated generate unit
.PHONY: api api-deps browser pgbouncer

run: $(STAMP)
	$(BIN)/rhythm serve

test: $(STAMP) lint typecheck check-generated api-deps browser pgbouncer
	$(BIN)/pytest

# Reinstall only when the pins change; the project itself is installed editable.
$(STAMP): pyproject.toml plugin/pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "rhythm-backend needs Python 3.11 or newer (set PYTHON=...)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]' -e ./plugin
	@touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy tests --exclude tests/adoption

# src/rhythm/db/ must be exactly what sqlc and our plugin produce from sql/ and migrations/.
check-generated: $(STAMP)
	@if [ -f sqlc.yaml ]; then PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/sqlc diff \
		|| { echo "src/rhythm/db/ is stale: run 'make generate' and commit"; exit 1; }; fi

generate: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/sqlc generate

unit: $(STAMP)
	$(BIN)/pytest tests/unit

# --- The API contract (api/): OpenAPI document, TypeScript types, typed client, docs page ---
API_DIR   := api
API_STAMP := $(API_DIR)/node_modules/.installed

# Regenerate the contract from the code: the document, then the types. Commit both.
api: $(STAMP) $(API_STAMP)
	$(BIN)/rhythm openapi export --output $(API_DIR)/openapi/openapi.yaml
	cd $(API_DIR) && npm run --silent types

# npm packages at the lock file's exact versions; again only when the pins change. Node.js and
# npm are installed with apt-get where that is possible (root on Debian); elsewhere they must
# be there already.
$(API_STAMP): $(API_DIR)/package.json $(API_DIR)/package-lock.json
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; } \
		|| { echo "the API contract tests need Node.js and npm: install them, then run make test"; exit 1; }
	cd $(API_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

api-deps: $(API_STAMP)

# A Chromium for the test that renders the docs page headless: installed with apt-get where
# possible (root on Debian); elsewhere that one test is skipped, with its reason in the summary.
browser:
	@if command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
		|| command -v google-chrome >/dev/null || [ -n "$$RHYTHM_CHROMIUM" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "note: no Chromium, and no root or apt-get to install it: the docs-page test will be skipped"; fi

# Debian's PgBouncer, for the test of the API behind it in transaction mode; installed when
# missing and possible, else that test is skipped and says why.
PGBOUNCER := /usr/sbin/pgbouncer
pgbouncer:
	@test -x $(PGBOUNCER) || { apt-get update -qq \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer; } \
		|| echo "pgbouncer is not installed: its test will be skipped (apt-get install pgbouncer)"

# --- Benchmarks (bench/, results in docs/benchmarks.md); not part of `make test` ---
.PHONY: bench bench-queries bench-http bench-generate bench-check-generated bench-plugin
BENCH_STAMP := $(VENV)/.bench-installed
BENCH_ROUNDS ?= 10
BENCH_RUNS ?= 3
BENCH_QUERY_ROUNDS ?= 6

$(BENCH_STAMP): $(STAMP) pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,bench]' -e ./plugin
	@touch $@

# The benchmark's own generated packages (same plugin as the app): bench/queries/gen from
# bench/queries/sql/ (the app's schema), bench/queries/gen_orders from bench/queries/sql_orders/
# (a second schema, unlike ours: wide rows of many column types).
BENCH_SQLC := bench/queries/sql/sqlc.yaml bench/queries/sql_orders/sqlc.yaml
bench-generate: $(STAMP)
	for f in $(BENCH_SQLC); do PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/sqlc generate -f $$f || exit 1; done

bench-check-generated: $(STAMP)
	@for f in $(BENCH_SQLC); do PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/sqlc diff -f $$f \
		|| { echo "the output of $$f is stale: run 'make bench-generate'"; exit 1; }; done

bench-queries: $(BENCH_STAMP) bench-check-generated
	$(BIN)/python -m bench.queries.bench --runs $(BENCH_RUNS) --rounds $(BENCH_QUERY_ROUNDS) --seconds 0.3 \
		--loop uvloop --prototypes
	$(BIN)/python -m bench.queries.bench --schema orders --runs $(BENCH_RUNS) \
		--rounds $(BENCH_QUERY_ROUNDS) --seconds 0.3 --loop uvloop

bench-http: $(BENCH_STAMP)
	$(BIN)/python -m bench.http.bench --rounds $(BENCH_ROUNDS)

# The plugin's own speed: `sqlc generate` on a 200-query request, and the plugin alone.
bench-plugin: $(STAMP)
	$(BIN)/python -m bench.plugin_speed

# Everything in docs/benchmarks.md's query and HTTP tables, in one go (about 15 minutes).
bench: bench-queries bench-http

# Live room events and scaling with workers (docs/benchmarks.md, last two sections).
.PHONY: bench-events bench-workers wrk
EVENTS_ROUNDS ?= 5

# Closed loop (how many events/s the path sustains), then paced (latency at equal load).
bench-events: $(BENCH_STAMP)
	$(BIN)/python -m bench.events.bench --sizes 10x4,50x8 --rounds $(EVENTS_ROUNDS) --seconds 3
	$(BIN)/python -m bench.events.bench --sizes 10x4,50x8 --rounds $(EVENTS_ROUNDS) --seconds 4 \
		--pace-ms 400

bench-workers: $(BENCH_STAMP) wrk
	$(BIN)/python -m bench.http.workers --rounds $(EVENTS_ROUNDS) --seconds 5

# wrk, the HTTP load generator (Debian package), installed when missing.
wrk:
	@command -v wrk >/dev/null || { apt-get update -qq \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } \
		|| { echo "the HTTP benchmarks need wrk: apt-get install wrk"; exit 1; }
