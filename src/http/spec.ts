/**
 * The contract, openapi/barong.yaml, loaded once. Each path is mounted under its server's base URL
 * (the document's `/api`, or a path-level override such as `/` for /.well-known/jwks.json).
 */
import fs from 'node:fs';
import YAML from 'yaml';
import { packagePath } from '../package-root.js';

export const SPEC_PATH = packagePath('openapi', 'barong.yaml');
/**
 * The same document as JSON, which the build writes next to the compiled server (dist/openapi):
 * parsing the YAML was the largest single cost of start-up (about 0.3 s on a quiet core; JSON a few ms).
 */
const SPEC_JSON_PATH = packagePath('openapi', 'barong.json');

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

type PathItem = Record<string, unknown> & { servers?: Array<{ url: string }> };
export interface OpenApiDocument {
  servers?: Array<{ url: string }>;
  paths: Record<string, PathItem>;
  [key: string]: unknown;
}

export interface OperationInfo {
  operationId: string;
  method: string;
  /** The URL path as served, e.g. /api/v1/accounts/me. */
  url: string;
  successStatus: number;
  tags: string[];
  secured: boolean;
  /** Takes multipart/form-data (file uploads). */
  multipart: boolean;
  /** Operator roles allowed (the operation's `x-roles`; admin operations default to `admin` only). */
  roles: string[];
  /** The media types its request body may have; empty when it takes no body. */
  requestMediaTypes: string[];
}

let cached: OpenApiDocument | undefined;

export function loadSpec(): OpenApiDocument {
  cached ??= (
    fs.existsSync(SPEC_JSON_PATH) ? JSON.parse(fs.readFileSync(SPEC_JSON_PATH, 'utf8')) : YAML.parse(fs.readFileSync(SPEC_PATH, 'utf8'))
  ) as OpenApiDocument;
  return cached;
}

function basePath(url: string | undefined): string {
  if (!url) return '';
  const pathname = new URL(url, 'http://localhost').pathname;
  return pathname === '/' ? '' : pathname.replace(/\/$/, '');
}

/** The URL path each document path is served at: its server's base + the path. */
export function servedPath(spec: OpenApiDocument, documentPath: string): string {
  const servers = spec.paths[documentPath]?.servers ?? spec.servers;
  return basePath(servers?.[0]?.url) + documentPath;
}

/** A copy of the document whose paths carry their server base, ready for fastify-openapi-glue. */
export function mountedSpec(spec = loadSpec()): OpenApiDocument {
  const paths: Record<string, PathItem> = {};
  for (const [p, item] of Object.entries(spec.paths)) {
    const { servers: _servers, ...rest } = item;
    paths[servedPath(spec, p)] = rest;
  }
  return structuredClone({ ...spec, servers: undefined, paths });
}

const operationLists = new WeakMap<OpenApiDocument, OperationInfo[]>();

/** The document's operations, read once per document (it is never modified: the glue gets copies). */
export function listOperations(spec = loadSpec()): readonly OperationInfo[] {
  let operations = operationLists.get(spec);
  if (!operations) operationLists.set(spec, (operations = readOperations(spec)));
  return operations;
}

function readOperations(spec: OpenApiDocument): OperationInfo[] {
  const result: OperationInfo[] = [];
  for (const [documentPath, item] of Object.entries(spec.paths)) {
    const url = servedPath(spec, documentPath);
    for (const method of METHODS) {
      const op = item[method] as
        | {
            operationId: string;
            responses: Record<string, unknown>;
            tags?: string[];
            security?: unknown[];
            requestBody?: { content?: Record<string, unknown> };
            'x-roles'?: string[];
          }
        | undefined;
      if (!op) continue;
      const success = Object.keys(op.responses).map(Number).filter((s) => s >= 200 && s < 300).sort()[0];
      result.push({
        operationId: op.operationId,
        method,
        url,
        successStatus: success ?? 200,
        tags: op.tags ?? [],
        secured: Array.isArray(op.security) && op.security.length > 0,
        multipart: Boolean(op.requestBody?.content?.['multipart/form-data']),
        roles: op['x-roles'] ?? ['admin'],
        requestMediaTypes: Object.keys(op.requestBody?.content ?? {}),
      });
    }
  }
  return result;
}

/** Media types that appear in responses but in no request body (e.g. image/png downloads). */
export function responseOnlyMediaTypes(spec = loadSpec()): string[] {
  const requests = new Set<string>();
  const responses = new Set<string>();
  const visit = (node: unknown, into: Set<string>) => {
    const content = (node as { content?: Record<string, unknown> } | undefined)?.content;
    for (const type of Object.keys(content ?? {})) into.add(type);
  };
  const components = (spec.components ?? {}) as { responses?: Record<string, unknown> };
  for (const response of Object.values(components.responses ?? {})) visit(response, responses);
  for (const item of Object.values(spec.paths)) {
    for (const method of METHODS) {
      const op = item[method] as { requestBody?: unknown; responses?: Record<string, unknown> } | undefined;
      if (!op) continue;
      visit(op.requestBody, requests);
      for (const response of Object.values(op.responses ?? {})) visit(response, responses);
    }
  }
  return [...responses].filter((type) => !requests.has(type)).sort();
}

type OperationObject = { tags?: string[] };

/** The document with only the operations `keep` accepts; path items left without one are dropped. */
export function specWithOperations(spec: OpenApiDocument, keep: (operation: OperationObject) => boolean): OpenApiDocument {
  const paths: Record<string, PathItem> = {};
  for (const [p, item] of Object.entries(spec.paths)) {
    const kept: PathItem = {};
    for (const [key, value] of Object.entries(item)) {
      const isOperation = (METHODS as readonly string[]).includes(key);
      if (!isOperation || keep(value as OperationObject)) kept[key] = value;
    }
    if (METHODS.some((m) => kept[m])) paths[p] = kept;
  }
  return { ...spec, paths };
}

/** Operations of the Management API (tag `management`), served outside /api with their own checks. */
export const isManagementOperation = (operation: OperationObject) => operation.tags?.includes('management') ?? false;

/** The document the API's routes are made from: every operation but the Management API's. */
export const apiDocument = () => specWithOperations(mountedSpec(), (op) => !isManagementOperation(op));
