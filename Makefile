# Two commands for a new user: `make run` and `make test`. Everything else is plumbing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint translations clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || (echo "Python 3.11+ is needed" && exit 1)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

run: $(STAMP)
	$(BIN)/reintegrate db upgrade
	$(BIN)/reintegrate demo
	$(BIN)/reintegrate serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

translations: $(STAMP)
	$(BIN)/pybabel extract --no-location --no-wrap --omit-header -F babel.cfg -k _l -k lazy_gettext -k N_ -o reintegrate/translations/messages.pot .
	$(BIN)/pybabel update --no-wrap -i reintegrate/translations/messages.pot -d reintegrate/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d reintegrate/translations

clean:
	rm -rf $(VENV) instance .pytest_cache
