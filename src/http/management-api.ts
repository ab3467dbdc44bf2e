/**
 * Barong's Management API v1 at /management_api/v1; without a keychain its routes answer 404 (off).
 * Its routes come from the `management` operations of the contract, in a scope of their own:
 * Barong's checks run before the body is validated, the verified JWT's `data` replaces the body,
 * and the action's `x-management-data` schema validates it, answering 422 with Grape's text.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import openapiGlue from 'fastify-openapi-glue';
import { registerCheckedDocument } from './contract-validation.js';
import type { Deps } from '../domain/deps.js';
import { AppError } from '../errors.js';
import type { ManagementScope } from '../management-api-config.js';
import { grapeMessage, type AjvError } from './error-handler.js';
import { checkManagementRequest, createManagementVerifier, parseManagementBody } from './management-security.js';
import { isManagementOperation, listOperations, mountedSpec, specWithOperations, type OpenApiDocument } from './spec.js';

export const MANAGEMENT_PREFIX = '/management_api/v1';

type Handler = (request: never, reply: never) => unknown;

interface ManagementOperation {
  operationId: string;
  scope: ManagementScope;
  successStatus: number;
}

export async function registerManagementApi(app: FastifyInstance, deps: Deps, handlers: Record<string, Handler>): Promise<void> {
  const config = deps.config.managementApi;
  const verify = config && createManagementVerifier(deps, config);
  const { specification, operations } = managementSpec();

  await app.register(
    async (scope) => {
      scope.addHook('onRequest', async (request) => {
        if (!verify) throw new AppError('ROUTE_NOT_FOUND'); // off: as if there were no such path
        checkManagementRequest(request);
      });
      scope.removeContentTypeParser('application/json');
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
        try {
          done(null, parseManagementBody(String(body)));
        } catch (error) {
          done(error as Error, undefined);
        }
      });
      scope.setNotFoundHandler(async () => {
        throw new AppError('ROUTE_NOT_FOUND');
      });
      // A bad `data` is a 422 with Grape's text, not the API's 400: keep the validation error for preHandler.
      scope.addHook('onRoute', (route) => {
        route.attachValidation = true;
      });
      scope.addHook('preValidation', async (request) => {
        const operation = operations.get(routeKey(request));
        if (!operation || !verify) throw new AppError('ROUTE_NOT_FOUND');
        request.body = await verify(request, operation.scope);
      });
      scope.addHook('preHandler', async (request) => {
        if (request.validationError) throw new AppError('MANAGEMENT_INVALID_PARAMS', dataProblems(request.validationError));
      });
      await registerCheckedDocument(specification, () =>
        scope.register(openapiGlue, {
        specification,
        securityHandlers: {},
        operationResolver: (operationId: string) => {
          const handler = handlers[operationId];
          const operation = [...operations.values()].find((op) => op.operationId === operationId);
          if (!handler || !operation) throw new Error(`no handler for operation ${operationId}`);
          return async (request: FastifyRequest, reply: FastifyReply) => {
            reply.code(operation.successStatus);
            return handler(request as never, reply as never);
          };
        },
      }),
      );
    },
    { prefix: MANAGEMENT_PREFIX },
  );
}

function routeKey(request: FastifyRequest): string {
  return `${request.method} ${request.routeOptions.url}`;
}

/**
 * The management operations with paths relative to MANAGEMENT_PREFIX and, as each one's request
 * body, its `data` schema (the body the routes validate is the verified JWT's data).
 */
export function managementSpec(): { specification: OpenApiDocument; operations: Map<string, ManagementOperation> } {
  const mounted = specWithOperations(mountedSpec(), isManagementOperation);
  const operations = new Map<string, ManagementOperation>();
  for (const op of listOperations().filter((o) => o.tags.includes('management'))) {
    operations.set(`${op.method.toUpperCase()} ${op.url}`, { operationId: op.operationId, scope: scopeOf(mounted, op.url, op.method), successStatus: op.successStatus });
  }
  const paths: OpenApiDocument['paths'] = {};
  for (const [url, item] of Object.entries(mounted.paths)) {
    if (!url.startsWith(`${MANAGEMENT_PREFIX}/`)) throw new Error(`management operation outside ${MANAGEMENT_PREFIX}: ${url}`);
    const relative: Record<string, unknown> = {};
    for (const [method, value] of Object.entries(item)) {
      const { requestBody: _jwt, 'x-management-data': data, ...operation } = value as Record<string, unknown>;
      relative[method] = data ? { ...operation, requestBody: { required: true, content: { 'application/json': { schema: data } } } } : operation;
    }
    paths[url.slice(MANAGEMENT_PREFIX.length)] = relative;
  }
  return { specification: { ...mounted, paths }, operations };
}

function scopeOf(spec: OpenApiDocument, url: string, method: string): ManagementScope {
  const scope = (spec.paths[url]?.[method] as { 'x-management-scope'?: ManagementScope } | undefined)?.['x-management-scope'];
  if (!scope) throw new Error(`management operation ${method.toUpperCase()} ${url} has no x-management-scope`);
  return scope;
}

/** Grape's text for a bad `data`: a required parameter also counts as empty ("key is missing, key is empty"). */
function dataProblems(error: Error & { validation?: AjvError[] }): string {
  const errors = (error.validation ?? []).flatMap((e): AjvError[] =>
    e.keyword === 'required'
      ? [e, { keyword: 'minLength', instancePath: `${e.instancePath}/${String(e.params.missingProperty)}`, params: { limit: 1 } }]
      : [e],
  );
  return grapeMessage(errors, 'data');
}
