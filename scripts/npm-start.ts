/**
 * node's arguments in package.json's start script (what `make start` runs), e.g.
 * ['--max-semi-space-size=8', '--heap-growing-percent=100', 'dist/server/main.js']: `make bench`
 * and the tests that run the compiled server (TEST_SERVER=compiled) start it exactly so.
 */
import fs from 'node:fs';
import path from 'node:path';

export function npmStartArguments(packageRoot: string): string[] {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { scripts: { start: string } };
  return scripts.start.split(/\s+/).slice(1);
}
