/**
 * Requests generated from the OpenAPI document with fast-check: for every operation, valid values
 * from its schemas (examples, boundaries, random values within bounds) and mutations (wrong types,
 * missing and extra fields, NUL and control characters, huge strings, deep nesting, every media
 * type, no body, anonymous or with a token). Nothing here knows an operation by name: whatever
 * the document declares is fuzzed, including operations added later.
 */
import fc from 'fast-check';
import qs from 'qs';
import { listOperations, loadSpec, type OperationInfo } from '../../src/http/spec.js';
import { multipartBody } from './multipart.js';

type Schema = Record<string, any>;
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const spec = loadSpec();

function resolve<T = Schema>(node: any): T {
  let current = node;
  while (current && typeof current === 'object' && typeof current.$ref === 'string') {
    current = current.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((n: any, part: string) => n?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
  }
  return current as T;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: Schema;
}

export interface FuzzOperation extends OperationInfo {
  parameters: Parameter[];
  /** Media type → body schema. */
  bodies: Record<string, Schema>;
}

export function fuzzOperations(): FuzzOperation[] {
  const operations = listOperations();
  return operations.map((op) => {
    const documentPath = Object.keys(spec.paths).find((p) => op.url.endsWith(p) && (spec.paths[p] as any)[op.method])!;
    const item = spec.paths[documentPath] as any;
    const raw = item[op.method];
    const parameters = [...(item.parameters ?? []), ...(raw.parameters ?? [])].map((p: unknown) => resolve<Parameter>(p));
    const bodies: Record<string, Schema> = {};
    for (const [media, entry] of Object.entries<any>(resolve(raw.requestBody)?.content ?? {})) bodies[media] = resolve(entry.schema ?? {});
    return { ...op, parameters, bodies };
  });
}

/** Strings a client might send that should never hurt: control characters, NUL, odd Unicode. */
const NASTY = ['', ' ', '\u0000', 'a\u0000b', '\u0001\u001f\u007f', '\ud800', '😀', '../../etc/passwd', "' OR 1=1 --", '%00', '{"a":1}', 'null', '0', '-1', '1e309', 'A'.repeat(5000)];

/** Values of the wrong type for any field. */
const wrongType = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, 1e20, [], {}, ['a', 'b'], { nested: { x: 1 } }),
  fc.constantFrom(...NASTY),
);

function stringArb(schema: Schema, pool: string[]): fc.Arbitrary<string> {
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum.map(String));
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : 64;
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const examples = [...(schema.examples ?? []), ...(schema.example !== undefined ? [schema.example] : [])].filter((e) => typeof e === 'string');
  const options: fc.Arbitrary<string>[] = [
    fc.string({ minLength: min, maxLength: Math.min(max, 40) }),
    fc.constant('a'.repeat(max)),
    fc.constant('a'.repeat(max + 1)),
  ];
  if (examples.length > 0) options.push(fc.constantFrom(...examples));
  if (pool.length > 0) options.push(fc.constantFrom(...pool));
  if (schema.format === 'date') options.push(fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)));
  return fc.oneof(...options);
}

function integerArb(schema: Schema): fc.Arbitrary<number> {
  const min = typeof schema.minimum === 'number' ? Math.max(schema.minimum, Number.MIN_SAFE_INTEGER) : -1_000_000;
  const max = typeof schema.maximum === 'number' ? Math.min(schema.maximum, Number.MAX_SAFE_INTEGER) : 1_000_000;
  const examples = (schema.examples ?? []).filter((e: unknown) => typeof e === 'number');
  return fc.oneof(
    fc.integer({ min, max }),
    fc.constantFrom(min, max, min - 1, max + 1, 0, 30, 86_400, ...examples),
  );
}

/** An arbitrary of values valid for the schema (mostly: boundaries just outside it are included). */
export function valueArb(node: Schema, pool: string[], depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(node) ?? {};
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.anyOf || schema.oneOf) return fc.oneof(...(schema.anyOf ?? schema.oneOf).map((s: Schema) => valueArb(s, pool, depth)));
  const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type ?? (schema.properties ? 'object' : 'string')];
  return fc.oneof(
    ...types.map((type): fc.Arbitrary<unknown> => {
      switch (type) {
        case 'null':
          return fc.constant(null);
        case 'integer':
          return integerArb(schema);
        case 'number':
          return fc.double({ noNaN: true });
        case 'boolean':
          return fc.boolean();
        case 'array':
          return fc.array(valueArb(schema.items ?? {}, pool, depth + 1), { maxLength: 3 });
        case 'object': {
          if (!schema.properties || depth > 3) {
            return fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxKeys: 3 });
          }
          const model: Record<string, fc.Arbitrary<unknown>> = {};
          for (const [name, prop] of Object.entries<Schema>(schema.properties)) model[name] = valueArb(prop, pool, depth + 1);
          return fc.record(model, { requiredKeys: schema.required ?? [] });
        }
        default:
          return stringArb(schema, pool);
      }
    }),
  );
}

/** A JSON text nested `levels` deep, which JSON.stringify of a nested object would need the stack for. */
const deepJson = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

type Mutation =
  | { kind: 'none' }
  | { kind: 'drop'; index: number }
  | { kind: 'wrong'; index: number; value: unknown }
  | { kind: 'extra'; key: string; value: unknown }
  | { kind: 'huge'; index: number }
  | { kind: 'deep'; index: number; levels: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Mutation>({ kind: 'none' }) },
  fc.record({ kind: fc.constant('drop' as const), index: fc.nat() }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('wrong' as const), index: fc.nat(), value: wrongType }) },
  fc.record({ kind: fc.constant('extra' as const), key: fc.constantFrom('extra', '__proto__', 'constructor', 'a[b]', ''), value: wrongType }),
  fc.record({ kind: fc.constant('huge' as const), index: fc.nat() }),
  fc.record({ kind: fc.constant('deep' as const), index: fc.nat(), levels: fc.constantFrom(20, 200, 5000) }),
);

function mutate(value: Record<string, unknown>, mutation: Mutation, schemaKeys: string[]): { value: Record<string, unknown>; rawJson?: string } {
  const keys = schemaKeys.length > 0 ? schemaKeys : ['field'];
  const copy: Record<string, unknown> = { ...value };
  switch (mutation.kind) {
    case 'none':
      return { value: copy };
    case 'drop':
      delete copy[keys[mutation.index % keys.length]];
      return { value: copy };
    case 'wrong':
      copy[keys[mutation.index % keys.length]] = mutation.value;
      return { value: copy };
    case 'extra':
      return { value: { ...copy, [mutation.key]: mutation.value } };
    case 'huge':
      copy[keys[mutation.index % keys.length]] = 'x'.repeat(200_000);
      return { value: copy };
    case 'deep': {
      const key = keys[mutation.index % keys.length];
      copy[key] = '__DEEP__';
      return { value: copy, rawJson: JSON.stringify(copy).replace('"__DEEP__"', deepJson(mutation.levels)) };
    }
  }
}

export interface GeneratedRequest {
  operationId: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  /** For the failure report. */
  summary: string;
}

export interface Credentials {
  memberToken: string;
  operatorToken: string;
  /** Known values (uids, label keys, an application id) so requests can reach past "not found". */
  pool: string[];
}

const ENCODINGS = ['declared', 'declared', 'declared', 'application/json', 'application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain', 'none', 'broken-json'] as const;

/** Percent-encodes the UTF-8 bytes (a lone surrogate becomes U+FFFD, as a client's encoder would). */
function encodeSegment(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0').toUpperCase()}`)).join('');
}

/** One request to one operation of the document. */
export function requestArb(op: FuzzOperation, creds: Credentials): fc.Arbitrary<GeneratedRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const declaredTypes = Object.keys(op.bodies);
  const bodySchema = declaredTypes.length > 0 ? op.bodies[declaredTypes[0]] : undefined;
  const bodyKeys = Object.keys(resolve(bodySchema ?? {})?.properties ?? {});

  const pathArb = fc.record(
    Object.fromEntries(pathParams.map((p) => [p.name, fc.oneof({ weight: 4, arbitrary: valueArb(p.schema, creds.pool) }, wrongType)])),
  );
  const queryArb = fc.record(
    Object.fromEntries(queryParams.map((p) => [p.name, fc.oneof({ weight: 4, arbitrary: valueArb(p.schema, creds.pool) }, wrongType)])),
    { requiredKeys: [] },
  );
  const bodyArb = bodySchema ? valueArb(bodySchema, creds.pool) : fc.constant(undefined);
  const authArb = fc.constantFrom('anonymous', 'member', 'member', 'operator', 'garbage');

  return fc
    .record({
      path: pathArb,
      query: queryArb,
      body: bodyArb,
      mutation: mutationArb,
      encoding: fc.constantFrom(...ENCODINGS),
      declaredIndex: fc.nat(),
      auth: authArb,
      file: fc.constantFrom('png', 'random', 'none'),
      text: fc.string({ maxLength: 50 }),
    })
    .map((g) => {
      let url = op.url.replace(/\{(\w+)\}/g, (_m, name: string) => encodeSegment(String((g.path as Record<string, unknown>)[name] ?? '')));
      const query = qs.stringify(g.query, { skipNulls: false });
      if (query) url += `?${query}`;
      const headers: Record<string, string> = {};
      if (g.auth === 'member') headers.authorization = `Bearer ${creds.memberToken}`;
      if (g.auth === 'operator') headers['x-operator-token'] = creds.operatorToken;
      if (g.auth === 'garbage') headers.authorization = 'Bearer eyJhbGciOiJub25lIn0.eyJ1aWQiOiJ4In0.';

      let payload: string | Buffer | undefined;
      let encoding: string = g.encoding === 'declared' && declaredTypes.length > 0 ? declaredTypes[g.declaredIndex % declaredTypes.length] : g.encoding;
      if (g.encoding === 'declared' && declaredTypes.length === 0) encoding = 'none';
      const takesBody = declaredTypes.length > 0;
      const base = g.body !== null && typeof g.body === 'object' && !Array.isArray(g.body) ? (g.body as Record<string, unknown>) : { value: g.body };
      const { value, rawJson } = mutate(base, g.mutation, bodyKeys);
      if (takesBody || !['GET', 'DELETE'].includes(op.method.toUpperCase())) {
        switch (encoding) {
          case 'application/json':
            headers['content-type'] = 'application/json';
            payload = rawJson ?? JSON.stringify(value);
            break;
          case 'application/x-www-form-urlencoded':
            headers['content-type'] = encoding;
            payload = qs.stringify(value);
            break;
          case 'multipart/form-data': {
            const fields: Parameters<typeof multipartBody>[0] = {};
            for (const [key, field] of Object.entries(value)) {
              if (key === '') continue;
              fields[key] = typeof field === 'string' ? field : JSON.stringify(field) ?? '';
            }
            if (g.file !== 'none') {
              fields.upload = {
                filename: 'f.png',
                contentType: 'image/png',
                data: g.file === 'png' ? PNG : Buffer.from(g.text),
              };
            }
            const built = multipartBody(fields);
            headers['content-type'] = built.contentType;
            payload = built.payload;
            break;
          }
          case 'text/plain':
            headers['content-type'] = 'text/plain';
            payload = g.text;
            break;
          case 'broken-json':
            headers['content-type'] = 'application/json';
            payload = `{"a":${g.text}`;
            break;
          default:
            break;
        }
      }
      const shown = typeof payload === 'string' ? payload.slice(0, 300) : payload ? `<${payload.length} bytes>` : '<no body>';
      const summary = `${op.operationId}: ${op.method.toUpperCase()} ${url.slice(0, 300)} [${g.auth}, ${encoding}, ${g.mutation.kind}] ${shown}`;
      return {
        [fc.toStringMethod]: () => summary,
        operationId: op.operationId,
        method: op.method.toUpperCase(),
        url,
        headers,
        payload,
        summary,
      };
    });
}
