/**
 * The document bounds every input, so generated clients see the limits and the server refuses
 * oversized values with a 400 before any handler runs: every string a request carries (body
 * property, path or query parameter) has a maxLength or an enum, every integer a maximum and a
 * minimum; and every operation that reads input declares the 400 it answers, every write the 415.
 */
import { expect, it } from 'vitest';
import { fuzzOperations } from '../helpers/contract-requests.js';
import { loadSpec } from '../../src/http/spec.js';

type Node = Record<string, any>;
const spec = loadSpec() as Node;

function resolve(node: Node | undefined): Node | undefined {
  if (!node?.$ref) return node;
  return resolve(
    String(node.$ref)
      .replace(/^#\//, '')
      .split('/')
      .reduce<any>((current, part) => current?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], spec),
  );
}

/** Unbounded scalars in a request schema, as "where: why". */
function unbounded(schema: Node | undefined, where: string): string[] {
  const s = resolve(schema);
  if (!s) return [];
  const types: string[] = Array.isArray(s.type) ? s.type : [s.type];
  const problems: string[] = [];
  if (types.includes('string') && s.maxLength === undefined && s.enum === undefined && s.const === undefined && s.format !== 'binary') {
    problems.push(`${where}: string without maxLength`);
  }
  if (types.includes('integer') && (s.maximum === undefined || s.minimum === undefined)) {
    // A path id may be any integer: ids beyond the table are simply not found.
    if (!where.endsWith('(path id)')) problems.push(`${where}: integer without minimum and maximum`);
  }
  for (const [name, property] of Object.entries<Node>(s.properties ?? {})) problems.push(...unbounded(property, `${where}.${name}`));
  for (const branch of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) problems.push(...unbounded(branch, where));
  if (s.items) problems.push(...unbounded(s.items, `${where}[]`));
  return problems;
}

it('bounds every string and integer a request carries', () => {
  const problems = fuzzOperations().flatMap((op) => [
    ...op.parameters.flatMap((p) => unbounded(p.schema, `${op.operationId} ${p.in} ${p.name}${p.in === 'path' && p.schema.type === 'integer' ? ' (path id)' : ''}`)),
    ...Object.entries(op.bodies).flatMap(([media, schema]) => unbounded(schema, `${op.operationId} ${media}`)),
  ]);
  expect(problems).toEqual([]);
});

it('declares 400 wherever input is read and 415 wherever a body can be sent', () => {
  const problems: string[] = [];
  for (const op of fuzzOperations()) {
    const item = Object.entries<Node>(spec.paths).find(([, pathItem]) => pathItem[op.method]?.operationId === op.operationId)![1];
    const responses = item[op.method].responses as Node;
    if ((op.parameters.length > 0 || Object.keys(op.bodies).length > 0) && !responses['400']) problems.push(`${op.operationId}: no 400`);
    // Barong's Management API answers any other body with its own 400 "Only JSON body is accepted.".
    const management = (item[op.method].tags as string[] | undefined)?.includes('management');
    if (['post', 'put', 'patch', 'delete'].includes(op.method) && !management && !responses['415']) {
      problems.push(`${op.operationId}: no 415`);
    }
  }
  expect(problems).toEqual([]);
});
