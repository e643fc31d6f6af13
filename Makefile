# Two commands for a new user: `make run` and `make test`. Everything else is plumbing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HASH := $(shell sha1sum pyproject.toml | cut -c1-12)
# Two stamps: `make run` installs only what the service needs; `make test` adds the test tools
# to the same virtualenv (a run venv is upgraded in place, and `make run` keeps working after).
RUN_STAMP := $(VENV)/.installed-run-$(HASH)
TEST_STAMP := $(VENV)/.installed-test-$(HASH)
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint translations clean

$(RUN_STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || (echo "Python 3.11+ is needed" && exit 1)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@rm -f $(VENV)/.installed-* && touch $(RUN_STAMP)

$(TEST_STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(TEST_STAMP)

run: $(RUN_STAMP)
	$(BIN)/reintegrate db upgrade
	$(BIN)/reintegrate demo
	$(BIN)/reintegrate serve --host $(HOST) --port $(PORT)

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

translations: $(RUN_STAMP)
	$(BIN)/pybabel extract --no-location --no-wrap --omit-header -F babel.cfg -k _l -k lazy_gettext -k N_ -o reintegrate/translations/messages.pot .
	$(BIN)/pybabel update --no-wrap -i reintegrate/translations/messages.pot -d reintegrate/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d reintegrate/translations

clean:
	rm -rf $(VENV) instance .pytest_cache
