# The two commands of the README. Both set everything up first; both work on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The demo manager: the seed leaves proposals waiting for him (EMAIL=maya.patel@kestrel.example for the employee).
EMAIL ?= daniel.okafor@kestrel.example

.PHONY: setup demo test bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

setup: $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e '.[dev]'

demo: setup
	$(BIN)/python app.py seed demo
	$(BIN)/python app.py chat --as $(EMAIL)

test: setup
	$(BIN)/lint-imports
	bash scripts/ensure-postgres.sh
	bash scripts/ensure-brokers.sh
	bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest -q -n 2

clean:
	rm -rf $(VENV) var
