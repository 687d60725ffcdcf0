# Two commands do everything on a fresh machine:
#   make lab    set up (virtual environment, pinned packages, kernel) and open the course in JupyterLab
#   make test   set up the same way and run all tests (unit tests, then pytest --nbval notebooks/)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
KERNEL := feature-extraction
STAMP := $(VENV)/.installed

.PHONY: setup lab test unit browser nbval nbval-variant mutations benchmark execute runtime slides student pretrain clean lock

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (feature-extraction course)"
	touch $(STAMP)

setup: $(STAMP)

lab: setup
	$(BIN)/jupyter lab notebooks/

# Another learner's CPU, emulated on this one: ATen's scalar kernels, oneDNN without AVX, MKL's
# compatible path. The stored outputs must pass nbval under it too (claims, not digits, are compared).
OTHER_CPU := ATEN_CPU_CAPABILITY=default ONEDNN_MAX_CPU_ISA=SSE41 MKL_CBWR=COMPATIBLE
UNIT := $(BIN)/python -m pytest tests --ignore=tests/browser --ignore=tests/test_mutations.py

test: setup
	$(UNIT)
	$(BIN)/python -m pytest --nbval notebooks/
	$(OTHER_CPU) $(BIN)/python -m pytest --nbval notebooks/
	$(BIN)/python -m pytest tests/test_mutations.py -m main_claim
	tests/browser/install.sh
	$(BIN)/python -m pytest tests/browser

unit: setup
	$(UNIT)

# The stored outputs checked as if on another CPU (part of make test).
nbval-variant: setup
	$(OTHER_CPU) $(BIN)/python -m pytest --nbval notebooks/

# Each notebook's claims can fail: mutated notebooks must print ✘ (make test runs the main claims' ones).
mutations: setup
	$(BIN)/python -m pytest tests/test_mutations.py

browser: setup
	tests/browser/install.sh
	$(BIN)/python -m pytest tests/browser

nbval: setup
	$(BIN)/python -m pytest --nbval notebooks/

benchmark: setup
	$(BIN)/python -m course_utils.benchmark

# Re-run notebooks top to bottom in a fresh kernel and store their outputs: make execute NB=notebooks/00_setup_and_tour.ipynb
NB ?= notebooks/*.ipynb
execute: setup
	for nb in $(NB); do COURSE_PROGRESS=0 $(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=600 "$$nb" || exit 1; done

# Regenerate requirements.lock (every package, exact versions, Python 3.10-3.13, all platforms) with uv
# from pyproject.toml's ranges, and mirror it into environment.yml. Then `make setup` installs it.
UV_VERSION := 0.13.9
lock: setup
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.10 --custom-compile-command "make lock" --quiet -o requirements.lock
	$(BIN)/python tools/write_environment.py

clean:
	rm -rf $(VENV) data/*.npz data/*.json slides student
	find data -name "*.pt" ! -name "*.shipped.pt" -delete

runtime: setup
	$(BIN)/python -m course_utils.runtime

# Lecture slides (reveal.js, one deck per notebook) into slides/, and student versions without solutions into student/
slides: setup
	$(BIN)/python -m course_utils.classroom slides

student: setup
	$(BIN)/python -m course_utils.classroom student

# Rebuild notebook 06's pretrained backbone (data/transfer_resnet_v1.shipped.pt) from scratch, deterministically
pretrain: setup
	$(BIN)/python -m course_utils.transfer pretrain
