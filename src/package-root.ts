/**
 * The files the server reads beside its code (the contract, the console, the embedded database's
 * template) live under one root: dist/ when it runs compiled, the repository when it runs from the
 * sources. This module sits one level below that root in each form of the code: src/, dist/src/
 * (tsc) and dist/server/ (the bundle that `make start` runs, where every module's import.meta.url is
 * the bundle's), so paths are resolved here and nowhere else.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** A path under the package root, e.g. packagePath('openapi', 'barong.json'). */
export function packagePath(...segments: string[]): string {
  return path.join(PACKAGE_ROOT, ...segments);
}
