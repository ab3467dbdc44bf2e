/**
 * Build step (scripts/build.sh): checks the documents the server hands fastify-openapi-glue against
 * the OpenAPI meta-schema, as the glue does, and records their digests so the compiled server skips
 * the repeat at start-up (src/http/contract-validation.ts). Fails the build on an invalid document.
 */
import fs from 'node:fs';
import { checkDocuments, VALIDATED_DOCUMENTS_PATH } from '../src/http/contract-validation.js';
import { managementSpec } from '../src/http/management-api.js';
import { apiDocument } from '../src/http/spec.js';

const digests = await checkDocuments([apiDocument(), managementSpec().specification]);
fs.writeFileSync(VALIDATED_DOCUMENTS_PATH, `${JSON.stringify(digests)}\n`);
console.log(`contract checked against the OpenAPI meta-schema: ${digests.length} documents recorded in ${VALIDATED_DOCUMENTS_PATH}`);
