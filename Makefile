# Two commands set up a fresh machine: `make demo` (build lessons, grade the sample submissions)
# and `make test` (the whole test suite). Both create .venv and install what they need.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
KC := $(VENV)/bin/kerascourse
STAMP := $(VENV)/.installed
APT_LOG := apt.log
LESSON ?= 03_dnn
NOTEBOOK ?= exercises/$(LESSON)/$(LESSON).ipynb
export TF_CPP_MIN_LOG_LEVEL := 3
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install data assign demo test check grade lint bench clean

$(STAMP): setup.cfg setup.py pyproject.toml constraints.txt
	@(command -v bwrap && command -v chromium && command -v espeak-ng) >/dev/null \
		|| (echo "installing bubblewrap, chromium and espeak-ng with apt-get (its output: $(APT_LOG))" \
			&& apt-get update >$(APT_LOG) 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y bubblewrap chromium espeak-ng >>$(APT_LOG) 2>&1) \
		|| echo "bubblewrap, chromium or espeak-ng not installed (apt-get's output: $(APT_LOG)): grading runs unsandboxed, the report test needs chromium, lesson 13's spoken clips need espeak-ng"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]' 2>&1 | grep -v "^WARNING: Location" || true
	$(PY) -c "import kerascourse, otter, tensorflow, torch, ipykernel"
	touch $(STAMP)

install: $(STAMP)

# The offline datasets, prepared once; their dataset_info.json files mark them done, so that
# `make check` does not start TensorFlow just to find them ready.
OFFLINE_DATASETS := digit_transfer mnist_subset mnist_subset_rgb32 movie_reviews sklearn_digits speech_keywords sunspots
# digit_transfer also brings the digits base that lesson 08 transfers from, and movie_reviews the small BERT
# that lesson 11 fine-tunes (each pre-trained once, seeded).
PREPARED := $(foreach name,$(filter-out movie_reviews,$(OFFLINE_DATASETS)),datasets/$(name)/1.0.0/dataset_info.json) \
	datasets/movie_reviews/1.1.0/dataset_info.json \
	datasets/weights/digits_resnet.weights.h5 datasets/weights/movie_bert/config.json

$(PREPARED) &: | $(STAMP)
	$(KC) data $(OFFLINE_DATASETS)

data: $(PREPARED)

assign: install
	$(KC) assign

demo: data
	$(KC) demo

test: data
	$(PY) -m pytest

check: data
	$(KC) check $(LESSON) $(NOTEBOOK)

grade: data
	$(KC) grade $(LESSON) $(SUBMISSIONS) $(OUT)

lint: install
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/lint-imports

bench: install
	$(PY) benchmarks/bench_training.py --out bench-out/training.json
	$(PY) benchmarks/bench_grading.py --out bench-out/grading.json
	$(PY) benchmarks/bench_pretraining.py --out bench-out/pretraining.json
	$(PY) benchmarks/bench_deploy.py --out bench-out/deploy.json
	$(PY) benchmarks/bench_speech.py --out bench-out/speech.json

clean:
	rm -rf $(VENV) bench-out demo-out .pytest_cache
