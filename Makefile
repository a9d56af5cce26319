# The release flow and the checks. `make help` lists the targets.
# Every target installs what it needs: uv (pinned) into .tools/, Python packages from
# uv.lock into .venv/, Node tools from lint/package-lock.json into lint/node_modules/.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

UV_VERSION := 0.13.8
UV := .tools/bin/uv
PY := .venv/bin/python
RUN := $(UV) run --locked --quiet
NPX := cd lint && npx --no-install

.PHONY: help setup generate check-generated lint test build clean serve bench \
  contract contract-cleanup mutation compare compare-mutation readme

# The contract suite's options, read by ngrok_failover_contract.runner.options.resolve from the
# environment (so the API key never shows in a printed recipe). Empty means the suite's default.
export BASE_URL NGROK_API_KEY NGROK_OTHER_ACCOUNT_KEY CHILD_BACKENDS PROFILE SEED REPORTS_DIR WORKERS SHARD PROCESSES
# Live runs: LIVE=1 goes ahead against a remote account, DRY_RUN=1 prints the plan only, MAX_RPM
# caps the suite's requests per minute (RATE_LIMIT below is the reference server's own limit).
export LIVE DRY_RUN MAX_RPM REQUIRE_COVERAGE
# VERBOSE=1: pytest's whole output on the console too (it is always in reports/contract/pytest.log).
export VERBOSE
# make compare: the other server and its key (never on a command line), its children, and a
# folder to record both sides into (RECORD) or to replay the other side from (RECORDED).
export OTHER_URL OTHER_NGROK_API_KEY OTHER_CHILD_BACKENDS RECORD RECORDED

# Reference server options (make serve); empty means the server's default.
PORT ?=
API_KEY ?=
STRICT ?=
KNOWN_BACKENDS ?=
DB ?=
PUBLIC_URL ?=
RATE_LIMIT ?=
ACCOUNTS_FILE ?=
SERVER_ARGS ?=
# No key here: API_KEY reaches the server as NGROK_API_KEY (see serve), never on a command line.
SERVE_ARGS = $(if $(PORT),--port $(PORT)) \
  $(if $(filter 1 yes true,$(STRICT)),--strict-references) \
  $(if $(KNOWN_BACKENDS),--known-backend $(KNOWN_BACKENDS)) \
  $(if $(DB),--db $(DB)) $(if $(PUBLIC_URL),--public-url $(PUBLIC_URL)) \
  $(if $(RATE_LIMIT),--rate-limit $(RATE_LIMIT)) \
  $(if $(ACCOUNTS_FILE),--accounts-file $(ACCOUNTS_FILE)) $(SERVER_ARGS)

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --quiet
	@touch $@

lint/node_modules/.installed: lint/package.json lint/package-lock.json
	cd lint && npm ci --no-audit --no-fund --silent
	@touch $@

setup: .venv/.synced lint/node_modules/.installed ## Install pinned Python and Node tools

generate: .venv/.synced clients/typescript/node_modules/.installed ## Regenerate generated/, clients/typescript/ and the server's view of the spec from spec/
	$(PY) -m scripts.generate
	$(PY) -m scripts.generate_typescript  # clients/typescript/: openapi-typescript, pinned
	$(PY) -m scripts.generate_server_view  # spec/failover.server-view.openapi.yaml
	$(UV) lock --quiet  # the client's version is the spec's info.version

check-generated: .venv/.synced clients/typescript/node_modules/.installed ## Fail with a diff if generated/, clients/typescript/ or the server's view is not what spec/ generates
	$(PY) -m scripts.generate --check
	$(PY) -m scripts.generate_typescript --check
	$(PY) -m scripts.generate_server_view --check

lint: setup ## Validate and lint the spec, type-check it in TypeScript, ruff, mypy and the suite's layers
	.venv/bin/openapi-spec-validator spec/failover.openapi.yaml spec/failover.server-view.openapi.yaml
	$(NPX) spectral lint --ruleset spectral.yaml --fail-severity hint ../spec/failover.openapi.yaml
	$(NPX) openapi-typescript ../spec/failover.openapi.yaml -o typescript/failover.d.ts --silent
	$(NPX) tsc -p typescript/tsconfig.json
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy .
	.venv/bin/lint-imports --no-cache --no-logo  # the contract suite's layers (.importlinter)
	cd generated && ../.venv/bin/mypy --strict ngrok_failover_client

test: ## The whole test suite: drift check, lint, TypeScript tests, then pytest
	@# The checks side by side: installs wait on the network, mypy and tsc on the CPU.
	+$(MAKE) --no-print-directory -j3 check-generated lint test-typescript docs-setup
	.venv/bin/pytest -n 3 --dist worksteal  # slow tests first; many wait on a subprocess or a clock

# The TypeScript client (clients/typescript/): its tools pinned in its own package-lock.json.
.PHONY: test-typescript
clients/typescript/node_modules/.installed: clients/typescript/package.json clients/typescript/package-lock.json
	cd clients/typescript && npm ci --no-audit --no-fund --silent
	@touch $@

test-typescript: .venv/.synced clients/typescript/node_modules/.installed ## Compile the TypeScript client and run its tests (node --test) against the reference server
	cd clients/typescript && npx --no-install tsc -b ../../tests/typescript
	node --test clients/typescript/dist/tests/*.test.mjs

# The tools users feed the spec to (tests/tools/): Specmatic pinned in tests/tools/package-lock.json
# (Java 17 from Debian), st from uv.lock, Prism, Redocly and openapi-typescript from their own
# locks. Not part of make test (about 2.5 minutes); .ci/run runs it.
.PHONY: test-tools
tests/tools/node_modules/.installed: tests/tools/package.json tests/tools/package-lock.json
	cd tests/tools && npm ci --no-audit --no-fund --silent
	@touch $@

test-tools: .venv/.synced tests/tools/node_modules/.installed bench/node_modules/.installed docs/tools/node_modules/.installed clients/typescript/node_modules/.installed ## Schemathesis's st, Specmatic, Prism, Redocly and openapi-typescript on the spec and the server's view, against the reference server
	command -v java >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless)
	.venv/bin/pytest -m tools tests/tools -n 2

# The API reference page: Redocly's CLI pinned in docs/tools/package-lock.json, Chromium from Debian.
.PHONY: docs docs-setup
docs/tools/node_modules/.installed: docs/tools/package.json docs/tools/package-lock.json
	cd docs/tools && npm ci --no-audit --no-fund --silent
	@touch $@

docs-setup: docs/tools/node_modules/.installed
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

docs: .venv/.synced docs-setup ## Render the spec to docs/reference/index.html (one offline page) and its screenshot.png
	$(PY) -m scripts.build_docs

# The release gate. BASE: a git ref (default: the latest v* tag, else origin/main, else HEAD).
.PHONY: check-breaking changelog release
BASE ?=
VERSION ?=
OUT ?=
BASE_ARG = $(if $(BASE),--base $(BASE))
check-breaking: .venv/.synced ## Fail on a breaking change (spec or Python client API) since BASE= unless info.version's major went up
	$(PY) -m scripts.check_breaking $(BASE_ARG)

changelog: .venv/.synced ## The changes since BASE= as Markdown (on stdout, or into OUT=file)
	@$(PY) -m scripts.check_breaking --changelog $(BASE_ARG) $(if $(OUT),--output $(OUT))

release: .venv/.synced ## Set info.version to VERSION=x.y.z if it matches the changes since BASE=, regenerate, gate, test
	@test -n "$(VERSION)" || { echo "usage: make release VERSION=x.y.z [BASE=git-ref]" >&2; exit 2; }
	$(PY) -m scripts.release $(VERSION) $(BASE_ARG)
	$(MAKE) generate
	$(MAKE) check-breaking
	$(MAKE) test
	@echo "release: v$(VERSION) is ready; commit it, then tag it:"
	@echo "  git commit -am 'Release v$(VERSION)' && git tag -a v$(VERSION) -m 'v$(VERSION)'"

# The key by environment, and the recipe silent: make prints no line holding it.
serve: export NGROK_API_KEY := $(or $(API_KEY),$(NGROK_API_KEY))
serve: .venv/.synced ## Start the reference server (PORT= API_KEY= STRICT=1 KNOWN_BACKENDS=a,b DB= PUBLIC_URL= RATE_LIMIT=N[/Ws] ACCOUNTS_FILE= SERVER_ARGS=)
	@echo "$(PY) -m ngrok_failover_server $(strip $(SERVE_ARGS))"
	@$(PY) -m ngrok_failover_server $(SERVE_ARGS)

bench/node_modules/.installed: bench/package.json bench/package-lock.json
	cd bench && npm ci --no-audit --no-fund --silent
	@touch $@

# SECTION=paging (or several, space-separated) runs those alone; QUICK=1 is a smoke run.
SECTION ?=
QUICK ?=
bench: .venv/.synced bench/node_modules/.installed clients/typescript/node_modules/.installed ## Benchmarks, side by side: the full run writes docs/benchmarks.md; SECTION=server|paging|clients|contract|generate|concurrency|profile or QUICK=1 (a smoke run) print only; BASELINE="ref ..." runs those commits' suites beside today's
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(PY) -m bench $(SECTION) $(if $(filter 1 yes true,$(QUICK)),--quick) $(foreach ref,$(BASELINE),--baseline=$(ref))

contract: .venv/.synced ## Contract suite (BASE_URL= NGROK_API_KEY= NGROK_OTHER_ACCOUNT_KEY= CHILD_BACKENDS=a,b PROFILE=live|quick|thorough|schema SEED=n WORKERS=n SHARD=k PROCESSES=n LIVE=1 DRY_RUN=1 MAX_RPM=n REQUIRE_COVERAGE=1 REPORTS_DIR=dir VERBOSE=1)
	$(PY) -m scripts.run_contract

contract-cleanup: .venv/.synced ## Delete backends killed contract runs left (BASE_URL= NGROK_API_KEY= DRY_RUN=1)
	$(PY) -m scripts.cleanup_contract

# RUNS=serve (or several) records those runs only, RUNS=none none; bench-quick only when named.
RUNS ?=
readme: .venv/.synced bench/node_modules/.installed ## Rewrite README.md's marked blocks from real runs (snapshots in docs/readme-runs/) and docs/benchmarks.md (RUNS=name|none)
	$(PY) -m scripts.readme $(if $(RUNS),--runs $(RUNS))

mutation: .venv/.synced ## The suite against every planted fault and benign variant: two tables
	$(PY) -m scripts.run_mutation

compare: .venv/.synced ## Compare two servers: one workload sent to both, differences by kind in reports/compare/ (BASE_URL= NGROK_API_KEY= OTHER_URL= OTHER_NGROK_API_KEY= CHILD_BACKENDS= OTHER_CHILD_BACKENDS= PROFILE= SEED= LIVE=1 DRY_RUN=1 MAX_RPM= RECORD=dir RECORDED=dir REPORTS_DIR= VERBOSE=1)
	$(PY) -m scripts.run_compare

compare-mutation: .venv/.synced ## The reference server compared with every planted fault and benign variant (PROFILE=live unless given, SEED=): two tables
	$(PY) -m scripts.run_compare_mutation

# Three distributions, each a wheel and an sdist, versions the spec's info.version. The contract
# suite's wheel is built from its sdist (uv build's default), which copies in the spec.
build: .venv/.synced ## Build the client, the reference server and the contract suite (wheels, sdists) into dist/
	rm -rf dist
	$(UV) build --quiet generated --out-dir dist
	$(UV) build --quiet . --out-dir dist
	$(UV) build --quiet contract_tests --out-dir dist
	@ls dist

# Not part of make test: it installs the built wheels into fresh virtual environments, with the
# newest versions their ranges admit and with the oldest (uv's lowest-direct resolution).
.PHONY: test-install test-pythons
test-install: .venv/.synced ## Install the three wheels in fresh venvs outside the checkout (newest and oldest requirements); run the installed suite and the CI recipes (docs/ci/)
	.venv/bin/pytest -m install tests/packaging --resolutions highest,lowest-direct

# The same tests on CPython 3.13 and 3.14, each in a Debian chroot (trixie, sid) that
# debootstrap builds once under ~/.cache and the tests reuse (tests/packaging/pythons.py).
test-pythons: .venv/.synced ## test-install's tests on CPython 3.13 and 3.14, in Debian chroots built once under ~/.cache (needs root)
	command -v debootstrap >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap)
	.venv/bin/pytest -m install tests/packaging --pythons 3.13,3.14

clean: ## Remove installed tools, caches, reports and build output (everything git ignores)
	rm -rf .tools .venv lint/node_modules bench/node_modules lint/typescript/failover.d.ts dist build \
	  reports .mypy_cache .ruff_cache .pytest_cache .hypothesis .schemathesis
	rm -rf clients/typescript/node_modules clients/typescript/dist docs/tools/node_modules docs/reference/index.html \
	  tests/tools/node_modules
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -name '*.egg-info' -type d -prune -exec rm -rf {} +
