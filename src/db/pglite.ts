/**
 * The embedded database (PGlite: PostgreSQL compiled to WebAssembly, in this process) and what it
 * costs. PostgreSQL's defaults are sized for a server of its own: shared_buffers=128MB alone is
 * touched at start and stays resident, so the settings below shrink it for one small API process
 * (measured: 343 → 185 MB resident right after opening). A new cluster is never created in the
 * serving process: PGlite's initdb runs a second WebAssembly instance (≈ 190 MB more, not freed at
 * once). The cluster is copied from the migrated template that `make start` builds into
 * dist/pglite-template, or, without one (tsx, tests), created by a short-lived child process.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite, PGliteOptions } from '@electric-sql/pglite';
import { packagePath } from '../package-root.js';

/** PostgreSQL settings for one embedded, single-connection database (appended to PGlite's own). */
export const PGLITE_SETTINGS: Record<string, string> = {
  shared_buffers: '16MB',
  temp_buffers: '1MB',
  work_mem: '2MB',
  maintenance_work_mem: '16MB',
  wal_buffers: '1MB',
};

/** Built next to the compiled server by `npm run build` (dist/pglite-template). */
export const PGLITE_TEMPLATE_DIR = packagePath('pglite-template');

export async function pgliteOptions(): Promise<PGliteOptions> {
  const { PGlite } = await import('@electric-sql/pglite');
  const settings = Object.entries(PGLITE_SETTINGS).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  return { startParams: [...PGlite.defaultStartParams, ...settings] };
}

/** Opens the cluster in `dir`, which must exist (see ensurePgliteCluster). */
export async function openPglite(dir: string): Promise<PGlite> {
  const { PGlite } = await import('@electric-sql/pglite');
  return PGlite.create(dir, await pgliteOptions());
}

/**
 * Leaves the cluster with the one database PGlite opens (`postgres`): initdb's template0 and
 * template1 serve only CREATE DATABASE, which nothing here runs, and they were 600 of the 1,069 files
 * a first start copies from the template. Creating files is most of that copy's cost (0.75 s of CPU
 * of a 2.2 s first start on this project's VM; 0.35 s with 469 files).
 */
export async function dropTemplateDatabases(pglite: PGlite): Promise<void> {
  // One statement per call: DROP DATABASE cannot run inside the transaction a multi-statement exec is.
  await pglite.exec(`update pg_database set datistemplate = false where datname in ('template0', 'template1')`);
  await pglite.exec('drop database template0');
  await pglite.exec('drop database template1');
  await pglite.exec('checkpoint');
}

export function pgliteClusterExists(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'PG_VERSION'));
}

/**
 * Makes sure `dir` holds a cluster: kept as is when it does, else a copy of the template, else made
 * by a child process. Either way it is built aside and renamed into place, so an interrupted first
 * start leaves no half cluster behind.
 */
export async function ensurePgliteCluster(dir: string): Promise<'existing' | 'template' | 'initdb'> {
  if (pgliteClusterExists(dir)) return 'existing';
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const staging = `${dir}.creating-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  let how: 'template' | 'initdb';
  if (pgliteClusterExists(PGLITE_TEMPLATE_DIR)) {
    fs.cpSync(PGLITE_TEMPLATE_DIR, staging, { recursive: true });
    how = 'template';
  } else {
    await runInitChild(staging);
    how = 'initdb';
  }
  fs.rmSync(dir, { recursive: true, force: true }); // an empty or broken leftover
  fs.renameSync(staging, dir);
  return how;
}

/**
 * Runs pglite-init in a child process (under tsx when this module is the TypeScript source). It sits
 * beside this module: in src/db, in dist/src/db, and in dist/server, where the bundle has it as an entry.
 */
function runInitChild(dir: string): Promise<void> {
  const source = import.meta.url.endsWith('.ts');
  const script = fileURLToPath(new URL(`./pglite-init.${source ? 'ts' : 'js'}`, import.meta.url));
  const args = source ? ['--import', 'tsx', script, dir] : [script, dir];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`creating the embedded database in ${dir} failed (exit ${code}): ${stderr.trim()}`));
    });
  });
}
