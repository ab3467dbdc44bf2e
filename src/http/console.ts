/**
 * The compliance console at /admin: static files from console/ in the package (no CDN, works
 * offline), served with a strict CSP (scripts and styles from this origin only, nothing inline,
 * no framing). The console is a client of the admin API like the CLI; the only thing it needs
 * from the server besides the API is which application to sign in to (`/admin/config.json`).
 * These routes are not part of the API contract, so they live outside openapi-glue.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { listApplications } from '../domain/applications.js';
import type { Deps } from '../domain/deps.js';
import { packagePath } from '../package-root.js';

export const CONSOLE_PREFIX = '/admin';
export const CONSOLE_DIR = packagePath('console');

/** Blob URLs are the document files the console fetched with its bearer token. */
const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export async function registerConsole(app: FastifyInstance, deps: Deps): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-security-policy', CONSOLE_CSP);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('x-frame-options', 'DENY');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('cache-control', 'no-cache');
      return payload;
    });
    // The swagger-ui plugin registers @fastify/static too: only one of them may decorate the reply.
    await scope.register(fastifyStatic, { root: CONSOLE_DIR, prefix: `${CONSOLE_PREFIX}/`, decorateReply: false, index: 'index.html' });
    scope.get(CONSOLE_PREFIX, async (_request, reply) => reply.redirect(`${CONSOLE_PREFIX}/`));
    scope.get(`${CONSOLE_PREFIX}/config.json`, async () => {
      const uid = deps.config.defaultApplicationUid ?? (await listApplications(deps.db))[0]?.uid ?? null;
      return { application_id: uid, app_name: deps.config.appName };
    });
  });
}
