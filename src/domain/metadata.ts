/**
 * Free `metadata` objects (profiles, documents) are stored as jsonb: bounded so that a client
 * cannot nest thousands of levels (PostgreSQL and JSON.stringify recurse) or store megabytes.
 */
export const METADATA_MAX_DEPTH = 10;
export const METADATA_MAX_BYTES = 16 * 1024;

/** Whether `value` is a JSON object within the depth and size limits, without a NUL anywhere. */
export function isAcceptableMetadata(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  // Depth first, without recursion, so that measuring a hostile value cannot overflow the stack.
  const stack: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > METADATA_MAX_DEPTH) return false;
    for (const child of Object.values(node)) stack.push({ node: child, depth: depth + 1 });
  }
  const json = JSON.stringify(value);
  // jsonb refuses the NUL character (\u0000) anywhere in a document.
  return Buffer.byteLength(json) <= METADATA_MAX_BYTES && !json.includes('\\u0000');
}
