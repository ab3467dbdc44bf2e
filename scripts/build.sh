#!/usr/bin/env bash
# `npm run build` (make builds it when sources are newer): the server as plain JavaScript in dist/.
#   dist/src, dist/migrations, dist/scripts   tsc output (tsconfig.build.json)
#   dist/openapi/barong.yaml, barong.json     the contract; JSON parses ~100× faster at start-up
#   dist/openapi/validated-documents.json     digests of the documents checked here against the
#                                             OpenAPI meta-schema (the server skips the repeat)
#   dist/console                              the compliance console's static files (/admin)
#   dist/pglite-template                      a migrated embedded database that first starts copy
#   dist/server/main.js                       the server in one file (what `npm start` runs)
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
npx tsc -p tsconfig.build.json
mkdir -p dist/openapi
cp openapi/barong.yaml dist/openapi/
# The compliance console's static files, served from ../../console/ relative to dist/src/http.
cp -R console dist/console
node --input-type=module -e "
import fs from 'node:fs';
import YAML from 'yaml';
fs.writeFileSync('dist/openapi/barong.json', JSON.stringify(YAML.parse(fs.readFileSync('openapi/barong.yaml', 'utf8'))));
"
node dist/scripts/check-contract.js
node dist/src/db/pglite-init.js dist/pglite-template --migrate
node dist/scripts/bundle-server.js
