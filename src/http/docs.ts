/**
 * The contract for people and old clients: Swagger UI at /api/docs over our own openapi/barong.yaml
 * (static mode, nothing generated), the document at /api/openapi.json and .yaml, and at Barong's
 * /api/v1/swagger_doc. Everything is served from local files (no CDN), so the UI works offline.
 * These routes are not part of the API contract, so they live outside openapi-glue.
 */
import fs from 'node:fs';
import swagger, { type StaticDocumentSpec } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { loadSpec, SPEC_PATH } from './spec.js';

export const DOCS_PREFIX = '/api/docs';

/**
 * The docs pages' own CSP (the API itself sends none). Swagger UI loads only its local bundle
 * (no inline script) and "Try it out" calls the API on the same origin, so 'self' is enough; no
 * upgrade-insecure-requests, so a plain-http server on a LAN address keeps working.
 */
const DOCS_CSP = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
};

/** A plain wordmark in place of the plugin's fastify logo. */
const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40" viewBox="0 0 200 40">' +
  '<text x="0" y="29" font-family="sans-serif" font-size="26" font-weight="700" fill="#ffffff">barong-ts</text></svg>';

export async function registerDocs(app: FastifyInstance): Promise<void> {
  // The document as written. Its server url `/api` is relative, so Swagger UI resolves it against
  // the page's origin: "Try it out" calls /api/v1/... (and / for the JWKS path) on this server.
  const document = structuredClone(loadSpec()) as unknown as StaticDocumentSpec['document'];
  const yamlText = fs.readFileSync(SPEC_PATH, 'utf8');

  await app.register(swagger, { mode: 'static', specification: { document } });
  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    staticCSP: DOCS_CSP,
    validatorUrl: false,
    uiConfig: {
      deepLinking: true,
      displayOperationId: true,
      displayRequestDuration: true,
      // Keep the bearer token from "Authorize" across reloads of the page.
      persistAuthorization: true,
      tryItOutEnabled: false,
    },
    theme: { title: 'Barong API' },
    logo: { type: 'image/svg+xml', content: Buffer.from(LOGO_SVG), href: DOCS_PREFIX },
  });

  const sendJson = async () => document;
  app.get('/api/openapi.json', sendJson);
  // Barong 1.8 clients fetch the document here (Grape's swagger_doc).
  app.get('/api/v1/swagger_doc', sendJson);
  app.get('/api/openapi.yaml', async (_request, reply) => reply.type('application/yaml; charset=utf-8').send(yamlText));
}
