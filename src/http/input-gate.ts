/**
 * Checks every request gets before a handler runs, beside the schema validation the glue sets up:
 * - the media type: a body of a type the operation does not take is refused (415) before it is
 *   read; multipart bodies (up to 10 MB) also go through the bearer check first, so an anonymous
 *   client cannot make the server buffer uploads;
 * - no body, or a JSON or form body sent to the multipart upload (Grape read those for any
 *   operation): fastify validates a body only against the schema of its own media type, so such a
 *   body is validated here against the operation's first schema and gets the same Grape-style 400
 *   (`"email is missing, email is empty, …"`) instead of reaching the handler unchecked;
 * - NUL characters, which PostgreSQL cannot store, in any string or key of the body, the query or
 *   the path: 400 `"<field> is invalid"`, before anything reaches the database.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { createSecurityHandlers } from './security.js';
import type { OperationInfo } from './spec.js';

/** Grape parses these for every operation that takes parameters. */
const ALWAYS_PARSED = ['application/json', 'application/x-www-form-urlencoded'];

type Validator = ((data: unknown) => boolean) & { errors?: unknown[] | null };

export function registerInputGate(
  app: FastifyInstance,
  operations: OperationInfo[],
  security: ReturnType<typeof createSecurityHandlers>,
): void {
  const byRoute = new Map(operations.map((op) => [`${op.method.toUpperCase()} ${op.url.replace(/\{(\w+)\}/g, ':$1')}`, op]));
  const operationOf = (request: FastifyRequest) =>
    request.routeOptions.url === undefined ? undefined : byRoute.get(`${request.method} ${request.routeOptions.url}`);

  app.addHook('onRequest', async (request) => {
    const type = request.headers['content-type'];
    if (!type) return;
    const op = operationOf(request);
    if (!op) return; // no such route (the 404 handler answers), or one outside the contract
    const media = type.split(';')[0].trim().toLowerCase();
    if (media.startsWith('multipart/')) {
      if (request.method === 'GET' || request.method === 'HEAD') return; // fastify reads no body there
      if (!op.multipart) throw new AppError('UNSUPPORTED_MEDIA_TYPE');
      if (op.secured) await security.BearerToken(request);
      return;
    }
    // An operation without a body ignores whatever comes with it (clients send `content-type` on DELETE).
    if (op.requestMediaTypes.length > 0 && !op.requestMediaTypes.includes(media) && !ALWAYS_PARSED.includes(media)) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE');
    }
  });

  app.addHook('preHandler', async (request) => {
    if (!operationOf(request)) return;
    refuseNonFinite(request.query, '');
    refuseNonFinite(request.params, '');
  });

  app.addHook('preValidation', async (request) => {
    const op = operationOf(request);
    if (!op) return;
    refuseNul(request.params, '');
    refuseNul(request.query, '');
    if (op.requestMediaTypes.length === 0) return;
    if (request.body === undefined) request.body = {};
    refuseNul(request.body, '');
    const media = request.mediaType;
    if (media && op.requestMediaTypes.includes(media)) return; // fastify validates it
    const validators = request.getValidationFunction('body') as unknown as Record<string, Validator> | Validator | undefined;
    const validate = typeof validators === 'function' ? validators : validators?.[op.requestMediaTypes[0]];
    if (validate && !validate(request.body)) {
      throw Object.assign(new Error('body validation failed'), { validation: validate.errors ?? [], validationContext: 'body' });
    }
  });
}

/**
 * Walks the value breadth-first without recursion (a body may nest thousands of levels) and refuses
 * the first string or key holding a NUL character.
 */
function refuseNul(value: unknown, root: string): void {
  walk(value, root, (node, path) => {
    if (typeof node === 'string' && node.includes('\u0000')) throw new AppError('VALIDATION_FAILED', `${path || 'request'} is invalid`);
  });
}

/**
 * A query or path number too large for a double ("1e309") passes the schema's bounds as Infinity
 * once coerced; it is out of range like any other number beyond them.
 */
function refuseNonFinite(value: unknown, root: string): void {
  walk(value, root, (node, path) => {
    if (typeof node === 'number' && !Number.isFinite(node)) throw new AppError('VALIDATION_FAILED', `${path || 'request'} is out of range`);
  });
}

/** Visits every value (and, as a string, every key) breadth-first, without recursion. */
function walk(value: unknown, root: string, visit: (node: unknown, path: string) => void): void {
  const stack: Array<{ value: unknown; path: string }> = [{ value, path: root }];
  for (let i = 0; i < stack.length; i += 1) {
    const { value: node, path } = stack[i];
    visit(node, path);
    if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        visit(key, path);
        stack.push({ value: child, path: path ? `${path}.${key}` : key });
      }
    }
  }
}
