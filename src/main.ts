/** The server process: config → services (db, migrations, keys) → app → listen; graceful close. */
import { operatorTokenForThisProcess, superviseWorkers } from './cluster.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { stopGracefullyOnSignals } from './shutdown.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Cannot start: invalid configuration:\n${error.problems.map((p) => `  - ${p}`).join('\n')}`);
      process.exit(1);
    }
    throw error;
  }

  const log = createLogger(config);
  if (superviseWorkers(config, log)) return;
  // Loaded here, not at the top: a cluster's primary never loads the server.
  const { buildApp } = await import('./app.js');
  const { startServices } = await import('./bootstrap.js');
  const { startOrphanUploadSweeps } = await import('./domain/documents/orphans.js');
  log.info({ database: config.databaseUrl ? 'postgres' : 'embedded (PGlite)', dataDir: config.dataDir }, 'starting');
  const services = await startServices(config, log);
  const app = await buildApp({
    deps: services.deps,
    operatorToken: operatorTokenForThisProcess(config.dataDir),
    loggerInstance: log,
  });
  app.addHook('onClose', () => services.close());

  const sweeps = startOrphanUploadSweeps(services.deps);
  app.addHook('onClose', () => sweeps.stop());
  stopGracefullyOnSignals(app, config, log);

  await app.listen({ port: config.port, host: config.host });
}

main().catch((error) => {
  console.error('Cannot start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
