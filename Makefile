# Bahi — the two commands: `make run` (infrastructure + all services) and `make test` (the whole suite).
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
TOOLS := .local/tools
UV := $(TOOLS)/bin/uv
PY := .venv/bin/python
INFRA := deploy/local/infra.sh

.PHONY: help install run test test-unit lint infra-up infra-down infra-status bench chaos clean images test-containers loadtest

help:
	@echo "make run           install what is missing, start infrastructure and all services (Ctrl-C stops)"
	@echo "make test          install what is missing, start infrastructure, run the whole suite"
	@echo "make lint          ruff + mypy + import contracts"
	@echo "make bench         benchmarks (tests/bench, not part of make test)"
	@echo "make loadtest      load-test the read side at LOADTEST_TARGET (127.0.0.1:8002), report in .local/loadtest"
	@echo "make chaos         the long chaos run: every component SIGKILLed 20 times under load (own servers; report in .local/chaos/)"
	@echo "make images        build the bahi:local image with podman (installs podman, runc, debootstrap)"
	@echo "make test-containers  every service in its own container, compose and k8s (tests/containers)"
	@echo "make infra-up | infra-down | infra-status"

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q uv==$(UV_VERSION)

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen -q
	touch $@

install: .venv/.synced
	@deploy/local/kafka-jars.sh
	@deploy/local/secantus-rs.sh
	@deploy/local/compose-plugin.sh

infra-up: install
	@$(INFRA) up

infra-down:
	@$(INFRA) down

infra-status:
	@$(INFRA) status

run: install
	@deploy/local/run.sh

test: infra-up
	@deploy/local/chromium.sh >/dev/null
	$(PY) -m pytest

test-unit: install
	$(PY) -m pytest tests/unit tests/contracts -m "not integration"

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	.venv/bin/lint-imports

# One image for every entry point, from deploy/Dockerfile (deploy/local/images.sh says how, without
# a Docker engine or a registry); cached: a second run rebuilds only what changed.
images: install
	@deploy/local/images.sh

test-containers: infra-up images
	@deploy/local/deploy-tools.sh >/dev/null
	$(PY) -m pytest tests/containers

bench: infra-up
	$(PY) -m tests.bench

# The read side under load (tests/load, see the README): the open-loop driver against the query
# service at LOADTEST_TARGET (by default the local one `make run` serves), bounded by the rate steps
# (40 s), seeded first with `python -m tests.load seed`; the report is .local/loadtest/index.html and
# the exit status the thresholds' verdict.
LOADTEST_TARGET ?= http://127.0.0.1:8002
LOADTEST_RATE ?= 100:400:100x10
LOADTEST_THRESHOLDS ?= --threshold 'p99<50ms' --threshold 'errors<0.1%' --threshold 'dropped==0' --threshold 'achieved>=0.95'
LOADTEST_ARGS ?=
loadtest: install
	$(PY) -m tests.load run --target $(LOADTEST_TARGET) --rate $(LOADTEST_RATE) $(LOADTEST_THRESHOLDS) $(LOADTEST_ARGS)

# Starts its own PostgreSQL, Kafka and MongoDB stand-in (tests/support/chaos_infra.py), not the shared ones.
chaos: install
	$(PY) -m tests.chaos --kills 20

clean: infra-down
	rm -rf .local .venv
