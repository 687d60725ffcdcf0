# Two commands do everything on a fresh machine:
#   make lab    set up (virtual environment, pinned packages, kernel) and open the course in JupyterLab
#   make test   set up the same way and run all tests (ruff, unit tests, pytest --nbval on every notebook, the
#               light ones also as if on another CPU, the main claims' mutation tests, the browser test)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
KERNEL := feature-extraction
STAMP := $(VENV)/.installed

.PHONY: setup lab lint test student-check stream-a stream-b unit browser nbval nbval-variants mutations benchmark execute runtime slides student pretrain clean lock

# JupyterLab in the course's environment works offline: tools/jupyter_lab_config.json (copied into
# the environment's own config folder) turns off the extension manager's PyPI queries, the news feed
# and the update check.
$(STAMP): requirements.lock pyproject.toml tools/jupyter_lab_config.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (feature-extraction course)"
	mkdir -p $(VENV)/etc/jupyter && cp tools/jupyter_lab_config.json $(VENV)/etc/jupyter/jupyter_lab_config.json
	touch $(STAMP)

setup: $(STAMP)

# Containers often run as root, which JupyterLab refuses unless told it is meant.
lab: setup
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

# Other learners' CPUs, emulated on this one (set before the kernel starts): ATen's scalar kernels,
# oneDNN without AVX, MKL's compatible path. Each changes the bits of every trained model, and the
# stored outputs must still pass nbval (claims, not digits, are compared). make nbval-variants runs
# every notebook under all three, one after the other; make test runs the MKL one on the notebooks
# that train little (the claims' ranges of all of them come from the spread measured over the three).
VARIANTS := ATEN_CPU_CAPABILITY=default ONEDNN_MAX_CPU_ISA=SSE41 MKL_CBWR=COMPATIBLE
CI_VARIANT := MKL_CBWR=COMPATIBLE
# make test's unit tests leave out the test that runs 01 twice and compares the text outputs (repeats_nbval):
# make test runs 01 twice already, pytest --nbval and the CI_VARIANT run, and each must match the stored outputs
# under the same sanitizers, so the two runs match each other. make unit runs it.
UNIT_TESTS := $(BIN)/python -m pytest tests --ignore=tests/browser --ignore=tests/test_mutations.py
UNIT_MARKERS := not student_run and not repeats_nbval
NBVAL := $(BIN)/python -m pytest --nbval
# The notebooks, split in two groups of about equal run time for the two test streams of make test.
NOTEBOOKS_A := notebooks/02_*.ipynb notebooks/04_*.ipynb notebooks/08_*.ipynb notebooks/09_*.ipynb
NOTEBOOKS_B := notebooks/00_*.ipynb notebooks/01_*.ipynb notebooks/03_*.ipynb notebooks/05_*.ipynb notebooks/06_*.ipynb \
	notebooks/07_*.ipynb
VARIANT_NOTEBOOKS := notebooks/00_*.ipynb notebooks/01_*.ipynb notebooks/07_*.ipynb
# Stream B's tests in one pytest process (each pytest start costs about 5 s; its plugins import nbformat, whose
# jsonschema builds a grammar at import): the unit tests UNIT_MARKERS selects, pytest --nbval on NOTEBOOKS_B, the main
# claims' mutation tests (marker main_claim; the others are deselected) and the browser test.
STREAM_B_TESTS := $(BIN)/python -m pytest tests $(NOTEBOOKS_B) --nbval \
	-m "$(UNIT_MARKERS) and (main_claim or not mutation)"
STREAM_LOG := $(VENV)/other-stream

# Lint with ruff (its settings are in pyproject.toml); make test runs it first, it takes a second.
lint: setup
	$(BIN)/ruff check .

# make test runs two streams side by side with one CPU thread each (COURSE_THREADS=1): on these
# small models a second thread gains little, a second stream nearly halves the wall time.
# OMP_WAIT_POLICY=PASSIVE: an idle OpenMP thread sleeps instead of spinning on the core the other
# stream needs (it changes no number). Together the streams run pytest --nbval on every notebook:
#   stream A:  pytest --nbval on NOTEBOOKS_A
#   stream B:  the browser test's set-up; one pytest: the unit tests, the browser test, the main claims' mutation
#              tests and pytest --nbval on NOTEBOOKS_B; then pytest --nbval on VARIANT_NOTEBOOKS as if on another
#              CPU (CI_VARIANT)
# Measured in make test from an empty data/ on issue 22's eighth step, with the other-CPU run still in stream A:
# A 874 + 34 s, B 841 s (it was 900-930 s in four pytest runs, plus about 30 s outside them, before B became one
# pytest run and the mutation tests shared a kernel); so the other-CPU run moved to B. At the ninth step 03 trains a
# half-width CNN, so 01 moved from A to B; measured then: A 951 s, B 845 + 34 s (A is now the longer stream). At the
# tenth step (02 on the 8-16-32 course CNN, 03 at 50 epochs): A 603 and 630 s, B 653 + 29 and 678 + 35 s.
# Stream B's log is printed when both are done.
test: setup lint
	@echo "make test: two test streams side by side; stream B's log follows stream A's"
	@rm -f $(STREAM_LOG).log $(STREAM_LOG).rc; \
	(COURSE_THREADS=1 OMP_WAIT_POLICY=PASSIVE $(MAKE) --no-print-directory stream-b > $(STREAM_LOG).log 2>&1; \
	 echo $$? > $(STREAM_LOG).rc) & \
	COURSE_THREADS=1 OMP_WAIT_POLICY=PASSIVE $(MAKE) --no-print-directory stream-a; this=$$?; wait; \
	echo "---------------- stream B ----------------"; cat $(STREAM_LOG).log; \
	test $$this -eq 0 && test "$$(cat $(STREAM_LOG).rc)" -eq 0

stream-a:
	$(NBVAL) $(NOTEBOOKS_A)

stream-b:
	tests/browser/install.sh
	$(STREAM_B_TESTS)
	$(CI_VARIANT) $(NBVAL) $(VARIANT_NOTEBOOKS)

unit: setup
	$(UNIT_TESTS) -m "not student_run"

nbval: setup
	$(NBVAL) notebooks/

# The stored outputs checked under each emulated CPU in turn (make test runs CI_VARIANT only).
nbval-variants: setup
	for variant in $(VARIANTS); do echo "== $$variant"; env $$variant $(NBVAL) notebooks/ || exit 1; done

# Each notebook's claims can fail: mutated notebooks must print ✘ (make test runs the main claims' ones).
mutations: setup
	$(BIN)/python -m pytest tests/test_mutations.py

browser: setup
	tests/browser/install.sh
	$(BIN)/python -m pytest tests/browser

benchmark: setup
	$(BIN)/python -m tools.benchmark
	$(BIN)/python -m tools.benchmark --time-to-accuracy

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

# Never touches student/: those notebooks are the students' work.
clean:
	rm -rf $(VENV) data/*.npz data/*.json slides
	find data -name "*.pt" ! -name "*.shipped.pt" -delete

runtime: setup
	$(BIN)/python -m tools.runtime

# Lecture slides (reveal.js, one deck per notebook) into slides/, and student versions without solutions into student/
slides: setup
	$(BIN)/python -m tools.classroom slides

student: setup
	$(BIN)/python -m tools.classroom student

# Every student notebook (solutions removed) run top to bottom: no cell may fail (as long as the notebooks run).
student-check: setup
	$(BIN)/python -m pytest tests/test_student_notebooks.py -m student_run

# Rebuild notebook 06's pretrained backbone (data/transfer_resnet_v1.shipped.pt) from scratch, deterministically
pretrain: setup
	$(BIN)/python -m tools.pretrain pretrain
