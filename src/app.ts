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
import { registerConsole } from './http/console.js';
import { registerDocs } from './http/docs.js';
import { registerDrain } from './http/drain.js';
import { frameworkErrorHandler, registerErrorHandling } from './http/error-handler.js';
import { parseFormBody } from './http/form-body.js';
import { lazySchemaCompilers } from './http/lazy-compilers.js';
import { registerCheckedDocument } from './http/contract-validation.js';
import { createHandlers } from './http/handlers/index.js';
import { registerInputGate } from './http/input-gate.js';
import { registerManagementApi } from './http/management-api.js';
import { assertOperator, createSecurityHandlers } from './http/security.js';
import { apiDocument, isManagementOperation, listOperations, responseOnlyMediaTypes } from './http/spec.js';
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
    // Path parameters are bounded by the contract's maxLength (400); Node bounds the whole URL.
    routerOptions: { maxParamLength: 16 * 1024 },
    frameworkErrors: frameworkErrorHandler,
    // Slow senders (slowloris) are cut off: Node closes a connection whose request has not arrived
    // whole in time, checked every second (Node's default checks only every 30 s).
    requestTimeout: deps.config.requestTimeoutSeconds * 1000,
    http: {
      headersTimeout: Math.min(20, deps.config.requestTimeoutSeconds) * 1000,
      connectionsCheckingInterval: 1000,
    },
    schemaController: lazySchemaCompilers(),
    ajv: {
      customOptions: {
        allErrors: true,
        // The error handler reads the schema of a missing field (Grape also calls it empty).
        verbose: true,
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
  await app.register(formbody, { parser: parseFormBody });
  app.decorateRequest('upload', null);
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 20 },
    onFile: keepUploadAside,
  });
  registerErrorHandling(app);
  registerDrain(app);

  const handlers = createHandlers(deps) as Record<string, (req: never, reply: never) => unknown>;
  const operations = new Map(listOperations().map((op) => [op.operationId, op]));
  const securityHandlers = createSecurityHandlers(deps, options.operatorToken);
  // The Management API answers its own media-type and body errors, in Barong's order.
  registerInputGate(app, [...operations.values()].filter((op) => !isManagementOperation(op)), securityHandlers);
  await app.register(async (scope) => {
    // Media types the document only answers with (document downloads) are refused as request
    // bodies; declaring them also keeps the glue from warning that they have no parser.
    scope.addContentTypeParser(responseOnlyMediaTypes(), (_request, _payload, done) =>
      done(new AppError('UNSUPPORTED_MEDIA_TYPE'), undefined),
    );
    const specification = apiDocument();
    await registerCheckedDocument(specification, () =>
      scope.register(openapiGlue, {
        specification,
        securityHandlers,
        operationResolver: (operationId: string) => {
          const op = operations.get(operationId);
          const handler = handlers[operationId];
          if (!op || !handler) throw new Error(`no handler for operation ${operationId}`);
          const admin = op.tags.includes('admin');
          return async (request: FastifyRequest, reply: FastifyReply) => {
            if (admin) assertOperator(request, op.roles);
            reply.code(op.successStatus);
            const result = await handler(request as never, reply as never);
            // A bare JSON string (the session tokens) must be encoded, or fastify sends it as text.
            if (typeof result === 'string') {
              return reply.type('application/json; charset=utf-8').send(JSON.stringify(result));
            }
            return result;
          };
        },
      }),
    );
  });
  await registerManagementApi(app, deps, handlers);
  await registerDocs(app);
  await registerConsole(app, deps);

  return app;
}
