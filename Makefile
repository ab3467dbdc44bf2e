# Set-up on a fresh machine: `make start` (serve on :3000 with the embedded database) and `make test`.
SHELL := /bin/bash
NODE_MODULES_STAMP := node_modules/.package-lock.json
SEED_CHECK := ../shared/scripts/check-seed-coverage.py
VITEST_ARGS ?=

.PHONY: install start migrate gen check-gen typecheck lint test test-unit cli ci

install: $(NODE_MODULES_STAMP)

# npm writes node_modules/.package-lock.json on every install: reinstall when the lockfile is newer.
$(NODE_MODULES_STAMP): package.json package-lock.json
	@command -v node >/dev/null || { echo "Node.js 20+ is required (https://nodejs.org)"; exit 1; }
	npm ci --no-audit --no-fund
	@touch $(NODE_MODULES_STAMP)

start: install
	npm start

migrate: install
	npm run migrate

gen: install
	npm run gen

check-gen: install
	npm run check-gen

typecheck: install
	npx tsc --noEmit

lint: install
	npx redocly lint --config openapi/redocly.yaml openapi/barong.yaml
	@if [ -f $(SEED_CHECK) ]; then python3 $(SEED_CHECK); else echo "($(SEED_CHECK) not found: seed coverage check skipped)"; fi

test: install check-gen typecheck lint
	npx vitest run $(VITEST_ARGS)

cli: install
	@npx tsx scripts/cli.ts $(ARGS)

ci:
	bash .ci/run
