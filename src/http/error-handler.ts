/**
 * The only place that writes error bodies: `{"error": <message>}` with Barong's status and text.
 * Ajv validation errors become Grape-style 400s ("email is missing, password is empty"); anything
 * unexpected is logged with the request id and answered 500 "Something went wrong".
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { isDatabaseUnavailable } from '../db/failures.js';
import { AppError, type ErrorBody } from '../errors.js';

/** What a client is told to wait when the database does not answer. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  parentSchema?: { properties?: Record<string, { minLength?: number }> };
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError & { errors?: unknown[] }, request, reply) => {
    const appError = toAppError(error);
    if (appError) {
      if (appError.code === 'DATABASE_UNAVAILABLE') request.log.warn({ err: error }, 'database unavailable');
      return send(reply, appError.status, appError.body, appError.retryAfter);
    }

    if (error.validation) {
      const invalid = new AppError('VALIDATION_FAILED', grapeMessage(error.validation as AjvError[], error.validationContext));
      return send(reply, invalid.status, invalid.body);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // fastify's own client errors (body parsing, limits): their text names no internals.
      return send(reply, status, clientErrorMessage(error, status));
    }
    request.log.error({ err: error }, 'unhandled error');
    const internal = new AppError('INTERNAL');
    return send(reply, internal.status, internal.body);
  });

  app.setNotFoundHandler((_request, reply) => {
    const error = new AppError('ROUTE_NOT_FOUND');
    return send(reply, error.status, error.body);
  });
}

/**
 * Errors fastify answers before routing (an undecodable URL, a path parameter beyond
 * maxParamLength): the same `{"error": ...}` body as every other error, never fastify's own.
 */
export function frameworkErrorHandler(_error: FastifyError, _request: unknown, reply: FastifyReply) {
  const error = new AppError('BAD_URL');
  return send(reply, error.status, error.body);
}

/**
 * AppErrors thrown directly, or by a security handler (then the most specific one wins), and
 * database failures: 503 with Retry-After, also inside the bearer check, so that a valid token is
 * never called invalid because the database did not answer.
 */
function toAppError(error: FastifyError & { errors?: unknown[] }): AppError | undefined {
  if (error instanceof AppError) return error;
  if (isDatabaseUnavailable(error)) return new AppError('DATABASE_UNAVAILABLE', undefined, { retryAfter: DATABASE_RETRY_AFTER_SECONDS });
  if (error.name === 'Unauthorized' && Array.isArray(error.errors)) {
    const candidates = error.errors
      .map((e) => (e instanceof AppError ? e : isDatabaseUnavailable(e) ? toAppError(e as FastifyError) : undefined))
      .filter((e): e is AppError => e !== undefined);
    return candidates.sort((a, b) => b.status - a.status)[0] ?? new AppError('TOKEN_INVALID');
  }
  return undefined;
}

function send(reply: FastifyReply, status: number, body: ErrorBody, retryAfter?: number) {
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="barong"');
  return reply.code(status).type('application/json; charset=utf-8').send({ error: body });
}

export function grapeMessage(errors: AjvError[], context?: string): string {
  const messages = errors.map((e) => {
    const field = fieldName(e, context);
    switch (e.keyword) {
      case 'required': {
        // Grape's `allow_blank: false` (minLength 1 here) reports a missing field as empty too.
        const blankRefused = (e.parentSchema?.properties?.[String(e.params.missingProperty)]?.minLength ?? 0) >= 1;
        return blankRefused ? `${field} is missing, ${field} is empty` : `${field} is missing`;
      }
      case 'minLength':
        return e.params.limit === 1 ? `${field} is empty` : `${field} is too short`;
      case 'maxLength':
        return `${field} is too long`;
      case 'enum':
        return `${field} does not have a valid value`;
      case 'minimum':
      case 'maximum':
        return `${field} is out of range`;
      default:
        return `${field} is invalid`;
    }
  });
  return [...new Set(messages.flatMap((m) => m.split(', ')))].join(', ');
}

function fieldName(error: AjvError, context?: string): string {
  if (error.keyword === 'required') {
    const parent = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const name = String(error.params.missingProperty);
    return parent ? `${parent}.${name}` : name;
  }
  const name = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  return name || context || 'request';
}

function clientErrorMessage(error: FastifyError, status: number): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE').message;
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('BAD_REQUEST_BODY').message;
    default:
      if (error instanceof SyntaxError) return new AppError('BAD_REQUEST_BODY').message;
      return status === 413 ? new AppError('BODY_TOO_LARGE').message : error.message;
  }
}
