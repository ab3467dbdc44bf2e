/**
 * The embedded database's cluster is made outside the serving process, with one database, and opened
 * with the small settings of src/db/pglite.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensurePgliteCluster, openPglite, PGLITE_SETTINGS } from '../../src/db/pglite.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'barong-pglite-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('the embedded database cluster', () => {
  it('is created by a child process, replacing a half-made directory, and then kept', async () => {
    const dir = path.join(root, 'data', 'pglite');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'leftover'), 'from an interrupted start');

    expect(await ensurePgliteCluster(dir)).toBe('initdb');
    expect(fs.existsSync(path.join(dir, 'PG_VERSION'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'leftover'))).toBe(false);
    expect(fs.readdirSync(path.dirname(dir))).toEqual(['pglite']); // no staging directory left
    expect(await ensurePgliteCluster(dir)).toBe('existing');
  }, 120_000);

  it('opens with the small memory settings, holding the one database PGlite uses', async () => {
    const pglite = await openPglite(path.join(root, 'data', 'pglite'));
    try {
      const { rows } = await pglite.query<{ shared_buffers: string }>('show shared_buffers');
      expect(rows[0].shared_buffers).toBe(PGLITE_SETTINGS.shared_buffers);
      // initdb's template databases are dropped: fewer files for a first start to copy.
      const databases = await pglite.query<{ datname: string; current: string }>('select datname, current_database() as current from pg_database');
      expect(databases.rows).toEqual([{ datname: 'postgres', current: 'postgres' }]);
      expect(fs.readdirSync(path.join(root, 'data', 'pglite', 'base'))).toHaveLength(1);
    } finally {
      await pglite.close();
    }
  }, 60_000);
});
