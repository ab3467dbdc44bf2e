/**
 * `node pglite-init.js DIR [--migrate]`: creates an embedded database cluster in DIR and exits, so
 * initdb's memory dies with this process (see pglite.ts), with its one database (see
 * dropTemplateDatabases). With --migrate it also applies every migration: that is how the build
 * makes dist/pglite-template.
 */
import { kyselyOverPglite } from './database.js';
import { migrateToLatest } from './migrate.js';
import { dropTemplateDatabases, openPglite } from './pglite.js';

const [dir, flag] = process.argv.slice(2);
if (!dir) {
  console.error('usage: pglite-init DIR [--migrate]');
  process.exit(2);
}
const pglite = await openPglite(dir);
await dropTemplateDatabases(pglite);
if (flag === '--migrate') {
  const db = await kyselyOverPglite(pglite);
  await migrateToLatest(db);
  await db.destroy();
}
await pglite.close();
