/**
 * The document is what SDK generators, Swagger UI and Prism read, so it is held to a standard
 * beyond `redocly lint`: every object schema is named in components (generators then give it a
 * real type name), and every operation, parameter, schema and schema property says what it is
 * and shows an example.
 */
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/http/spec.js';

type Node = Record<string, any>;
const spec = loadSpec() as Node;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

function resolve(node: Node | undefined): Node | undefined {
  if (!node?.$ref) return node;
  const target = String(node.$ref)
    .replace(/^#\//, '')
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<any>((current, part) => current?.[part], spec);
  if (!target) throw new Error(`unresolvable $ref ${node.$ref}`);
  return resolve(target);
}

const hasExample = (node: Node | undefined) => node !== undefined && (node.example !== undefined || node.examples !== undefined);
const isObjectSchema = (schema: Node) =>
  schema.type === 'object' || (Array.isArray(schema.type) && schema.type.includes('object')) || schema.properties !== undefined;

/** Every operation as [label, operation, path item]. */
function operations(): Array<[string, Node, Node]> {
  return Object.entries<Node>(spec.paths).flatMap(([p, item]) =>
    METHODS.filter((m) => item[m]).map((m): [string, Node, Node] => [`${m.toUpperCase()} ${p}`, item[m], item]),
  );
}

/**
 * Problems in a schema tree: object schemas not at the top of components.schemas (`named` is true
 * only there), and properties without a description or an example (on the property or on the
 * schema it refers to).
 */
function schemaProblems(schema: Node | undefined, where: string, named = false): string[] {
  if (!schema || typeof schema !== 'object' || schema.$ref) return [];
  const problems: string[] = [];
  if (isObjectSchema(schema) && !named) problems.push(`${where}: anonymous inline object schema (name it in components.schemas)`);
  for (const [name, property] of Object.entries<Node>(schema.properties ?? {})) {
    const target = resolve(property);
    if (!property.description && !target?.description) problems.push(`${where}.${name}: property without a description`);
    if (!hasExample(property) && !hasExample(target)) problems.push(`${where}.${name}: property without an example`);
    problems.push(...schemaProblems(property, `${where}.${name}`));
  }
  if (schema.items) problems.push(...schemaProblems(schema.items, `${where}[]`));
  if (typeof schema.additionalProperties === 'object') problems.push(...schemaProblems(schema.additionalProperties, `${where}{}`));
  for (const key of ['oneOf', 'anyOf', 'allOf', 'prefixItems']) {
    (schema[key] ?? []).forEach((sub: Node, i: number) => problems.push(...schemaProblems(sub, `${where}.${key}[${i}]`)));
  }
  if (schema.not) problems.push(...schemaProblems(schema.not, `${where}.not`));
  return problems;
}

/** A media type shows an example itself or through its schema. */
function mediaProblems(content: Record<string, Node> | undefined, where: string): string[] {
  return Object.entries(content ?? {}).flatMap(([media, entry]) => {
    const schema = resolve(entry.schema);
    const problems = schemaProblems(entry.schema, `${where} ${media}`);
    if (!schema) problems.push(`${where} ${media}: no schema`);
    else if (!hasExample(entry) && !hasExample(schema)) problems.push(`${where} ${media}: no example`);
    return problems;
  });
}

describe('the OpenAPI document', () => {
  it('names every object schema in components.schemas, with a description and an example', () => {
    const problems = Object.entries<Node>(spec.components.schemas).flatMap(([name, schema]) => [
      ...(schema.description ? [] : [`components.schemas.${name}: no description`]),
      ...(hasExample(schema) ? [] : [`components.schemas.${name}: no example`]),
      ...schemaProblems(schema, `components.schemas.${name}`, true),
    ]);
    expect(problems).toEqual([]);
  });

  it('gives every operation a unique operationId, a summary, a description and tags', () => {
    const problems = operations().flatMap(([label, op]) => [
      ...(op.operationId ? [] : [`${label}: no operationId`]),
      ...(op.summary ? [] : [`${label}: no summary`]),
      ...(op.description ? [] : [`${label}: no description`]),
      ...(op.tags?.length ? [] : [`${label}: no tag`]),
    ]);
    expect(problems).toEqual([]);
    const ids = operations().map(([, op]) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('describes every parameter, with an example', () => {
    const problems = operations().flatMap(([label, op, item]) =>
      [...(item.parameters ?? []), ...(op.parameters ?? [])].flatMap((raw: Node) => {
        const parameter = resolve(raw)!;
        const where = `${label} parameter ${parameter.in}.${parameter.name}`;
        return [
          ...(parameter.description ? [] : [`${where}: no description`]),
          ...(hasExample(parameter) || hasExample(resolve(parameter.schema)) ? [] : [`${where}: no example`]),
          ...schemaProblems(parameter.schema, where),
        ];
      }),
    );
    expect(problems).toEqual([]);
  });

  it('shows an example of every request body and response body, and names their object schemas', () => {
    const problems = operations().flatMap(([label, op]) => {
      const body = resolve(op.requestBody);
      const requestProblems = body ? mediaProblems(body.content, `${label} request`) : [];
      const responseProblems = Object.entries<Node>(op.responses ?? {}).flatMap(([status, raw]) => {
        const response = resolve(raw)!;
        return [
          ...(response.description ? [] : [`${label} ${status}: no description`]),
          ...mediaProblems(response.content, `${label} ${status}`),
        ];
      });
      return [...requestProblems, ...responseProblems];
    });
    expect(problems).toEqual([]);
  });

  it('catches what it claims to catch', () => {
    // The checks above must be able to fail: a hand-made bad schema trips each of them.
    const bad = { type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'string' } } } } };
    expect(schemaProblems(bad, 'X', true)).toEqual([
      'X.a: property without a description',
      'X.a: property without an example',
      'X.a: anonymous inline object schema (name it in components.schemas)',
      'X.a.b: property without a description',
      'X.a.b: property without an example',
    ]);
    expect(mediaProblems({ 'application/json': { schema: { type: 'string' } } }, 'Y')).toEqual(['Y application/json: no example']);
  });
});
