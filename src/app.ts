/**
 * buildApp: the whole HTTP application as a fastify instance that does not listen (tests inject
 * into it; main.ts listens). Routes and request validation come from the OpenAPI document.
 */
import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import openapiGlue from 'fastify-openapi-glue';
import type { Deps } from './domain/deps.js';
import { AppError } from './errors.js';
import { registerDocs } from './http/docs.js';
import { registerErrorHandling } from './http/error-handler.js';
import { lazyResponseSerializers } from './http/lazy-serializers.js';
import { createHandlers } from './http/handlers/index.js';
import { assertAdmin, createSecurityHandlers } from './http/security.js';
import { listOperations, mountedSpec, responseOnlyMediaTypes, type OperationInfo } from './http/spec.js';
import { keepUploadAside } from './http/uploads.js';

export interface AppOptions {
  deps: Deps;
  operatorToken: string;
  logger?: FastifyServerOptions['logger'] | false;
  loggerInstance?: FastifyServerOptions['loggerInstance'];
}

/** Largest accepted upload (documents): 10 MB, plus room for the other form fields. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { deps } = options;
  const app = Fastify({
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: options.logger ?? false }),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
    schemaController: lazyResponseSerializers(),
    ajv: {
      customOptions: {
        allErrors: true,
        coerceTypes: 'array',
        removeAdditional: false,
        useDefaults: true,
        // OpenAPI annotations that are not JSON Schema validation keywords.
        keywords: ['example', 'xml', 'discriminator', 'externalDocs'],
        formats: { binary: true },
      },
    },
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // Browser front ends on other origins call the API with bearer tokens (no cookies), as Barong's
  // Rack::Cors allowed; PATCH is included (Barong 1.8.0 left it out, breaking label and key updates).
  await app.register(cors, {
    origin: deps.config.corsOrigins === '*' ? '*' : [...deps.config.corsOrigins],
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    exposedHeaders: ['retry-after', 'x-request-id', 'content-disposition'],
    maxAge: 600,
  });
  await app.register(formbody);
  app.decorateRequest('upload', null);
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 20 },
    onFile: keepUploadAside,
  });
  registerErrorHandling(app);

  const handlers = createHandlers(deps) as Record<string, (req: never, reply: never) => unknown>;
  const operations = new Map(listOperations().map((op) => [op.operationId, op]));
  const securityHandlers = createSecurityHandlers(deps, options.operatorToken);
  guardMultipart(app, [...operations.values()], securityHandlers);
  await app.register(async (scope) => {
    // Media types the document only answers with (document downloads) are refused as request
    // bodies; declaring them also keeps the glue from warning that they have no parser.
    scope.addContentTypeParser(responseOnlyMediaTypes(), (_request, _payload, done) =>
      done(new AppError('UNSUPPORTED_MEDIA_TYPE'), undefined),
    );
    await scope.register(openapiGlue, {
        specification: mountedSpec(),
        securityHandlers,
        operationResolver: (operationId: string) => {
          const op = operations.get(operationId);
          const handler = handlers[operationId];
          if (!op || !handler) throw new Error(`no handler for operation ${operationId}`);
          const admin = op.tags.includes('admin');
          return async (request: FastifyRequest, reply: FastifyReply) => {
            if (admin) assertAdmin(request);
            reply.code(op.successStatus);
            const result = await handler(request as never, reply as never);
            // A bare JSON string (the session tokens) must be encoded, or fastify sends it as text.
            if (typeof result === 'string') {
              return reply.type('application/json; charset=utf-8').send(JSON.stringify(result));
            }
            return result;
          };
        },
      });
  });
  await registerDocs(app);

  return app;
}

/**
 * A multipart body (up to 10 MB) is read before validation and the glue's security check, so it is
 * refused earlier: 415 on an operation that takes no multipart, and the bearer check first on one
 * that does, so an anonymous client cannot make the server buffer uploads.
 */
function guardMultipart(
  app: FastifyInstance,
  operations: OperationInfo[],
  security: ReturnType<typeof createSecurityHandlers>,
): void {
  const byRoute = new Map(operations.map((op) => [`${op.method.toUpperCase()} ${op.url.replace(/\{(\w+)\}/g, ':$1')}`, op]));
  app.addHook('onRequest', async (request) => {
    if (!request.headers['content-type']?.toLowerCase().startsWith('multipart/')) return;
    if (request.routeOptions.url === undefined) return; // no such route: the 404 handler answers
    const op = byRoute.get(`${request.method} ${request.routeOptions.url}`);
    if (!op?.multipart) throw new AppError('UNSUPPORTED_MEDIA_TYPE');
    if (op.secured) await security.BearerToken(request);
  });
}
