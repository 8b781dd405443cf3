# Two commands for a newcomer: `make sim` and `make test`. Both create .venv and install calmkit.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: sim test lint format bench sounds pictures clean systemtest

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# setuptools warns "!! **** Editable installation" because config/ and sounds/ are mapped
	@# into the package (package-dir): harmless, and hidden here.
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

sim: $(STAMP)
	$(BIN)/calmkit run --sim

test: $(STAMP)
	$(BIN)/ruff check src tests bench sounds docs
	$(BIN)/ruff format --check src tests bench sounds docs
	$(BIN)/mypy
	SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check --fix src tests bench sounds docs
	$(BIN)/ruff format src tests bench sounds docs

# calmkit installed by systemd/install.sh into a Debian bookworm tree and booted under a real
# systemd (systemd-nspawn), checked from outside. Root only; needs debootstrap, systemd-container
# and the network (Debian's package archive, PyPI) on the first run. See tests/system/boot/.
systemtest: $(STAMP)
	$(PYTHON) tests/system/boot/systemtest.py --python $(abspath $(BIN))/python

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

sounds: $(STAMP)
	$(BIN)/python sounds/make_sounds.py

pictures: $(STAMP)
	SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy $(BIN)/python docs/make_pictures.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .ruff_cache .mypy_cache
