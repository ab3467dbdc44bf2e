/** `make migrate`: applies pending migrations to the configured database and reports each one. */
import { openDatabaseFor } from '../src/bootstrap.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { migrateToLatest } from '../src/db/migrate.js';

try {
  const config = loadConfig(process.env);
  console.log(`migrating ${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded database in ${config.dataDir}`}`);
  const database = await openDatabaseFor(config);
  try {
    const { results } = await database.withoutTimeouts(migrateToLatest);
    for (const r of results) console.log(`  applied ${r.migrationName}`);
    console.log(results.length === 0 ? 'already up to date' : `${results.length} migration(s) applied`);
  } finally {
    await database.close();
  }
} catch (error) {
  if (error instanceof ConfigError) console.error(error.problems.map((p) => `config: ${p}`).join('\n'));
  else console.error(`migration failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
