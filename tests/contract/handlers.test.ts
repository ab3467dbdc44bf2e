/**
 * The document and the code agree on the operations: every operationId in openapi/barong.yaml has
 * a handler and the other way round (the `Handlers` type checks this at compile time, this at run
 * time, as a generated-types drift would slip past the compiler), and every one is mounted at the
 * method and URL the document declares.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../src/http/handlers/index.js';
import { listOperations } from '../../src/http/spec.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

describe('operations and handlers', () => {
  it('has exactly one handler per operationId of the document', () => {
    const specIds = listOperations().map((op) => op.operationId).sort();
    const handlerIds = Object.keys(createHandlers(t.services.deps)).sort();
    expect(handlerIds).toEqual(specIds);
  });

  it('mounts every operation at its method and served URL', () => {
    const missing = listOperations()
      .filter((op) => !t.app.hasRoute({ method: op.method.toUpperCase() as 'GET', url: op.url.replace(/\{(\w+)\}/g, ':$1') }))
      .map((op) => `${op.method.toUpperCase()} ${op.url} (${op.operationId})`);
    expect(missing).toEqual([]);
    expect(t.app.hasRoute({ method: 'GET', url: '/api/v1/no_such_operation' })).toBe(false);
  });
});
