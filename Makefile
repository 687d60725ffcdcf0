# Two commands do everything on a fresh machine:
#   make lab    set up (virtual environment, pinned packages, kernel) and open the course in JupyterLab
#   make test   set up the same way and run all tests (unit tests, then pytest --nbval notebooks/)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
KERNEL := feature-extraction
STAMP := $(VENV)/.installed

.PHONY: setup lab test unit browser nbval benchmark execute runtime slides student pretrain clean

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

test: setup
	$(BIN)/python -m pytest tests --ignore=tests/browser
	$(BIN)/python -m pytest --nbval notebooks/
	tests/browser/install.sh
	$(BIN)/python -m pytest tests/browser

unit: setup
	$(BIN)/python -m pytest tests --ignore=tests/browser

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
