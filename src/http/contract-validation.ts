/**
 * fastify-openapi-glue checks the document it is given against the OpenAPI meta-schema each time it
 * is registered, compiling that schema with Ajv first: about a quarter of the server's start-up. The
 * build (scripts/build.sh) runs that same check once on the very documents the server hands the glue
 * and records their digests in dist/openapi; registering a document whose digest is recorded skips
 * the repeat. Any other document (tests, `make dev`, a document edited after the build) is checked at
 * its first registration in the process (each test builds apps again, and the CLI's in-process mode
 * one more).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { packagePath } from '../package-root.js';
import type { OpenApiDocument } from './spec.js';

export const VALIDATED_DOCUMENTS_PATH = packagePath('openapi', 'validated-documents.json');

const digestOf = (document: OpenApiDocument) => createHash('sha256').update(JSON.stringify(document)).digest('hex');

let recorded: Set<string> | undefined;
function recordedDigests(): Set<string> {
  recorded ??= new Set(
    fs.existsSync(VALIDATED_DOCUMENTS_PATH) ? (JSON.parse(fs.readFileSync(VALIDATED_DOCUMENTS_PATH, 'utf8')) as string[]) : [],
  );
  return recorded;
}

/** The meta-schema check, as the glue runs it; with it the glue's own ref check still runs. */
const passes = Object.assign(() => true, { errors: null });

/** Runs `register` (which registers the glue with `document`), without the repeat of a check the build made. */
export async function registerCheckedDocument(document: OpenApiDocument, register: () => PromiseLike<unknown>): Promise<void> {
  const digest = digestOf(document);
  if (!recordedDigests().has(digest)) {
    await register();
    recordedDigests().add(digest); // the glue checked it: not again in this process
    return;
  }
  // The glue makes its own Validator; the meta-schema validator comes from this (undeclared) method.
  const prototype = Validator.prototype as unknown as { getAjvValidator(version: string): unknown };
  const { getAjvValidator } = prototype;
  prototype.getAjvValidator = () => passes;
  try {
    await register();
  } finally {
    prototype.getAjvValidator = getAjvValidator;
  }
}

/** The build's check: each document against the meta-schema, as the glue checks it; their digests. */
export async function checkDocuments(documents: OpenApiDocument[]): Promise<string[]> {
  const digests: string[] = [];
  for (const document of documents) {
    const result = await new Validator().validate(structuredClone(document) as never);
    if (!result.valid) throw new Error(`the contract is not a valid OpenAPI document: ${JSON.stringify(result.errors, null, 2)}`);
    digests.push(digestOf(document));
  }
  return digests;
}
