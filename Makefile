# Two entry points: `make run` and `make test`. Both bootstrap what they need, idempotently.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install lint typecheck check-generated generate unit

run: $(STAMP)
	$(BIN)/rhythm serve

test: $(STAMP) lint typecheck check-generated
	$(BIN)/pytest

# Reinstall only when the pins change; the project itself is installed editable.
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "rhythm-backend needs Python 3.11 or newer (set PYTHON=...)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy tests/unit/fakes.py

# generated/ must be exactly what sqlc and our plugin produce from sql/ and migrations/.
check-generated: $(STAMP)
	@if [ -f sqlc.yaml ]; then PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/sqlc diff \
		|| { echo "generated/ is stale: run 'make generate' and commit"; exit 1; }; fi

generate: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/sqlc generate

unit: $(STAMP)
	$(BIN)/pytest tests/unit
