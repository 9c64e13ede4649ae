# newsworker - the two commands: `make run` (main job end to end) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARTICLES ?=

.DEFAULT_GOAL := help
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: bench bench-stories help install node-tools system-deps stack-up stack-down stack-status run test test-unit test-integration lint typecheck check clean quality bench-dedupe ner-memory example-event chaos profile image-check

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

system-deps: ## install Java, Maven and redis-server when missing (root only; else prints the command)
	@bash scripts/system-deps.sh

$(STAMP): pyproject.toml
	@bash scripts/check-python.sh $(PYTHON)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	@# setuptools' notice on every editable install says nothing about this project: filtered
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install newsworker with its dev tools

ASYNCAPI_TOOL := tests/deploy/asyncapi
NODE_STAMP := $(ASYNCAPI_TOOL)/node_modules/.installed

$(NODE_STAMP): $(ASYNCAPI_TOOL)/package.json $(ASYNCAPI_TOOL)/package-lock.json
	cd $(ASYNCAPI_TOOL) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

node-tools: system-deps $(NODE_STAMP) ## the official AsyncAPI parser (pinned, npm ci) the deploy tests use

$(BENCH_STAMP): $(STAMP)
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/pip install -q -e '.[dev,bench]'
	@touch $(BENCH_STAMP)

stack-up: install system-deps ## start the local Kafka + Redis (skipped for KAFKA_BOOTSTRAP_SERVERS / REDIS_URL)
	$(BIN)/newsworker dev up

stack-down: ## stop the local stack
	$(BIN)/newsworker dev down

stack-status: ## show the local stack
	$(BIN)/newsworker dev status

run: install system-deps ## main job: stack, topics, publish samples (or ARTICLES=path), worker, show events
	$(BIN)/newsworker run $(ARTICLES)

test: install system-deps node-tools check ## lint, typecheck, then every test layer against real Kafka and Redis, with coverage
	$(BIN)/newsworker dev up
	$(BIN)/pytest -q -ra --cov=workers --cov=topics --cov-report=term:skip-covered

test-unit: install ## tests that need no service (pytest -m "not integration")
	$(BIN)/pytest -q -ra -m "not integration"

test-integration: install system-deps ## tests against the real Kafka broker and Redis (pytest -m integration)
	$(BIN)/newsworker dev up
	$(BIN)/pytest -q -ra -m integration

lint: install ## the pre-commit hooks on every file: ruff check, ruff format, mypy (strict)
	$(BIN)/pre-commit run --all-files --show-diff-on-failure

typecheck: install ## mypy alone (strict; package, tests and tools)
	$(BIN)/mypy

check: lint ## lint and typecheck (the pre-commit hooks)

bench: $(BENCH_STAMP) stack-up ## throughput vs the nlp.pipe limit, naive loop, 1-2 workers, NER off; latency, RSS
	$(BIN)/python -m bench.throughput --articles $${ARTICLES_COUNT:-800} --rss-articles $${RSS_ARTICLES:-50000}

profile: $(BENCH_STAMP) stack-up ## pyinstrument report of the pipeline with NER off: where the non-NER time goes
	$(BIN)/python -m bench.profile_pipeline --articles $${ARTICLES_COUNT:-3000}

quality: stack-up ## precision/recall of duplicate decisions, story linking (ECB+), canonical entities, geocoding, places in other languages; language routing
	$(BIN)/python -m bench.dedupe_quality --stories 1000
	$(BIN)/python -m bench.story_quality
	$(BIN)/python -m bench.entity_quality
	$(BIN)/python -m bench.geocode_quality
	$(BIN)/python -m bench.foreign_place_quality
	$(BIN)/python -m bench.language_quality

bench-dedupe: install system-deps ## dedupe decisions/s, round trips and Redis bytes per article at 10k/100k/1M
	$(BIN)/python -m bench.dedupe_bench --sizes $${SIZES:-10000,100000,1000000}

bench-stories: install system-deps ## story linking: worker and Redis ms per article, Redis bytes per story at 10k/100k/1M
	$(BIN)/python -m bench.story_bench --sizes $${SIZES:-10000,100000,1000000}

ner-memory: install ## worker RSS over many articles through NER, with and without memory_zone
	$(BIN)/python -m bench.ner_memory --articles $${ARTICLES_COUNT:-3000}

chaos: stack-up ## fault scenarios in full (SIGKILL, Redis outage, broker restart, ...): lost/doubled table
	$(BIN)/python -m bench.chaos --articles $${ARTICLES_COUNT:-2000}

image-check: install stack-up ## build the image on a local Debian base and run its worker for real (root; docker.io, debootstrap)
	bash scripts/image-check.sh

example-event: install ## rewrite topics/examples/enriched.v2.example.json from the code
	$(BIN)/python scripts/example_event.py

clean: ## remove the venv, caches and the local stack's data
	-$(BIN)/newsworker dev down
	rm -rf $(VENV) .devstack newsworker-data .mypy_cache .ruff_cache .pytest_cache $(ASYNCAPI_TOOL)/node_modules
