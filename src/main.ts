/** The server process: config → services (db, migrations, keys) → app → listen; graceful close. */
import { operatorTokenForThisProcess, superviseWorkers } from './cluster.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';

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
  log.info({ database: config.databaseUrl ? 'postgres' : 'embedded (PGlite)', dataDir: config.dataDir }, 'starting');
  const services = await startServices(config, log);
  const app = await buildApp({
    deps: services.deps,
    operatorToken: operatorTokenForThisProcess(config.dataDir),
    loggerInstance: log,
  });
  app.addHook('onClose', () => services.close());

  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      log.info({ signal }, 'shutting down');
      const force = setTimeout(() => {
        log.error('shutdown took too long, exiting');
        process.exit(1);
      }, 10_000);
      force.unref();
      app.close().then(
        () => process.exit(0),
        (error) => {
          log.error({ err: error }, 'error during shutdown');
          process.exit(1);
        },
      );
    });
  }

  await app.listen({ port: config.port, host: config.host });
}

main().catch((error) => {
  console.error('Cannot start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
