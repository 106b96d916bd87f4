# Two commands a user needs: `make lab` and `make test`. Both create .venv if missing.
PYTHON ?= python3
VENV ?= .venv
# Extras installed besides the run dependencies; CI adds browser and instructor.
EXTRAS ?= dev
comma := ,
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))

.PHONY: setup lab test notebooks assignments course assets bench clean book

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $@

# A learner's own copies of the lessons, exercises blank, in my-work/ (never
# overwritten); the complete lessons stay in notebooks/. The copies are made with
# nbgrader's preprocessors, hence the instructor extra. A sub-make, because
# $(STAMP) is already expanded for the default EXTRAS.
# JupyterLab refuses to start as root (containers, some CI) without --allow-root.
lab:
	$(MAKE) setup EXTRAS=dev,instructor,lab
	$(PY) -m gmm_teach.assignments --workspace notebooks my-work
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/my-work $(if $(filter 0,$(shell id -u)),--allow-root)

test: setup
	$(PY) -m pytest

# Re-execute every notebook in place, so the stored outputs match the code.
notebooks:
	$(MAKE) setup EXTRAS=dev,lab
	$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace notebooks/*.ipynb

# Student versions of the notebooks (solutions removed, outputs cleared), with nbgrader.
assignments:
	$(MAKE) setup EXTRAS=dev,instructor
	rm -rf build/assignments
	$(PY) -m gmm_teach.assignments notebooks build/assignments

# A ready nbgrader course in course/ (git-ignored, and kept by `make clean`: it
# holds the gradebook). README's "For instructors" goes on from there.
course:
	$(MAKE) setup EXTRAS=dev,instructor
	$(PY) -m gmm_teach.assignments --course notebooks course

# The diagrams in assets/, and their copies embedded in lesson 00.
assets: setup
	$(PY) assets/make_assets.py

# The course website, from the notebooks' stored outputs (nothing is executed),
# into build/site/ (entry page build/site/index.html): a folder of static files
# that needs no network, its JavaScript pinned by package-lock.json (npm ci).
book:
	$(MAKE) setup EXTRAS=dev,book
	npm ci --no-audit --no-fund
	$(PY) book/build.py --out build/site --src build/book-src

bench: setup
	$(PY) benchmarks/bench_em.py

clean:
	rm -rf $(VENV) build .pytest_cache test-artifacts
