/**
 * The contract as served: Swagger UI at /api/docs (from local files only, with its own CSP), and
 * the document itself at /api/openapi.json and .yaml and at Barong's /api/v1/swagger_doc. These
 * routes are outside the API contract, so they are called with app.inject, not t.api.
 */
import fs from 'node:fs';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpec, SPEC_PATH } from '../../src/http/spec.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

const get = (url: string) => t.app.inject({ method: 'GET', url });

describe('the served OpenAPI document', () => {
  it('serves the document as JSON at /api/openapi.json and at Barong\'s /api/v1/swagger_doc', async () => {
    for (const url of ['/api/openapi.json', '/api/v1/swagger_doc']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toMatch(/^application\/json/);
      expect(res.json(), url).toEqual(loadSpec());
    }
  });

  it('serves the YAML file as written at /api/openapi.yaml', async () => {
    const res = await get('/api/openapi.yaml');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/yaml/);
    expect(res.body).toBe(fs.readFileSync(SPEC_PATH, 'utf8'));
    expect(YAML.parse(res.body)).toEqual(loadSpec());
  });

  it('gives Swagger UI the same document, whose relative server keeps "Try it out" on this origin', async () => {
    const res = await get('/api/docs/json');
    expect(res.statusCode).toBe(200);
    const document = res.json();
    expect(document).toEqual(loadSpec());
    expect(document.servers).toEqual([expect.objectContaining({ url: '/api' })]);
    expect(document.paths['/.well-known/jwks.json'].servers).toEqual([expect.objectContaining({ url: '/' })]);
  });
});

describe('Swagger UI at /api/docs', () => {
  it('loads only local scripts and styles, under a CSP that allows nothing else', async () => {
    const res = await get('/api/docs');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const assets = [...res.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThan(3);
    for (const asset of assets) expect(asset, asset).toMatch(/^\/api\/docs\/static\//);

    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
  });

  // tests/e2e/browser.test.ts checks in a real browser that the page requests nothing from elsewhere.
  it('serves the Swagger UI bundle from the package, not from a CDN', async () => {
    const bundle = await get('/api/docs/static/swagger-ui-bundle.js');
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    expect(bundle.body.length).toBeGreaterThan(100_000);
    const init = await get('/api/docs/static/swagger-initializer.js');
    expect(init.statusCode).toBe(200);
    expect(init.body).toContain("resolveUrl('./json')");
  });

  it('keeps the API itself free of the docs CSP', async () => {
    const res = await get('/api/v1/health/alive');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toBeUndefined();
  });
});
