/**
 * Every response the API tests see is checked against the OpenAPI document: its status must be
 * declared for the operation, and its JSON body must match the declared schema.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { loadSpec, servedPath } from '../../src/http/spec.js';

interface ResponseObject {
  $ref?: string;
  content?: Record<string, { schema?: unknown }>;
}

const spec = loadSpec();
const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
ajv.addFormat('binary', true);
ajv.addSchema(spec as object, 'spec');

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

const routes = Object.keys(spec.paths).flatMap((documentPath) => {
  const url = servedPath(spec, documentPath);
  // An empty path parameter still reaches its route (fastify matches `/api_keys/` as uid '').
  const pattern = new RegExp(`^${url.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]*')}$`);
  return [{ documentPath, pattern }];
});

const validators = new Map<string, ValidateFunction>();

function resolveResponse(response: ResponseObject, location: string): { response: ResponseObject; location: string } {
  if (!response.$ref) return { response, location };
  const target = response.$ref.replace(/^#\//, '');
  const resolved = target.split('/').reduce<any>((node, part) => node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
  return { response: resolved, location: target };
}

/** Throws with a readable reason when the response breaks the contract. */
export function assertMatchesContract(method: string, rawUrl: string, status: number, contentType: string, body: string) {
  const url = rawUrl.split('?')[0];
  const route = routes.find((r) => r.pattern.test(url) && (spec.paths[r.documentPath] as any)[method.toLowerCase()]);
  if (!route) {
    if (status === 404) return; // an unknown route: nothing to hold it against
    throw new Error(`contract: ${method} ${url} is not in the OpenAPI document`);
  }
  const operation = (spec.paths[route.documentPath] as any)[method.toLowerCase()];
  const declared = operation.responses?.[String(status)] as ResponseObject | undefined;
  if (!declared) {
    throw new Error(`contract: ${operation.operationId} answered ${status}, which the document does not declare (${body.slice(0, 200)})`);
  }
  const base = pointer('paths', route.documentPath, method.toLowerCase(), 'responses', String(status));
  const { response, location } = resolveResponse(declared, base);
  const media = contentType.split(';')[0].trim();
  if (!response.content) {
    if (body.length > 0) throw new Error(`contract: ${operation.operationId} ${status} must have no body`);
    return;
  }
  const entry = response.content[media];
  if (!entry) {
    throw new Error(`contract: ${operation.operationId} ${status} answered ${media || 'no content type'}, declared ${Object.keys(response.content).join(', ')}`);
  }
  if (!media.includes('json') || !entry.schema) return;
  const key = `${location}/content/${pointer(media)}/schema`;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile({ $ref: `spec#/${key}` });
    validators.set(key, validate);
  }
  const data = JSON.parse(body);
  if (!validate(data)) {
    throw new Error(
      `contract: ${operation.operationId} ${status} body does not match the document: ${ajv.errorsText(validate.errors)} in ${body.slice(0, 300)}`,
    );
  }
}
