/**
 * How the server process stops (README "Operating in production"). On SIGTERM (what orchestrators
 * and `docker stop` send): drain — /health/ready answers 503 at once and every response closes its
 * keep-alive connection, while the listener keeps serving for SHUTDOWN_GRACE_MS so load balancers
 * stop sending without a client seeing a refused connection — then close: no new connections,
 * in-flight requests finish, background work and the database close, exit 0. If that takes longer
 * than SHUTDOWN_TIMEOUT_MS, exit 1. SIGINT (Ctrl-C in a terminal) skips the grace period.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { startDraining } from './http/drain.js';

export function stopGracefullyOnSignals(app: FastifyInstance, config: Config, log: FastifyBaseLogger): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const graceMs = signal === 'SIGINT' ? 0 : config.operations.shutdownGraceMs;
    startDraining(app);
    log.info({ signal, graceMs }, 'shutting down: draining (/health/ready answers 503, still serving) for the grace period');
    await new Promise((resolve) => setTimeout(resolve, graceMs));

    log.info('closing: no new connections; waiting for requests in flight');
    const force = setTimeout(() => {
      log.error({ timeoutMs: config.operations.shutdownTimeoutMs }, 'shutdown took too long, exiting');
      process.exit(1);
    }, config.operations.shutdownTimeoutMs);
    force.unref();
    try {
      await app.close();
      log.info('stopped');
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'error during shutdown');
      process.exit(1);
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(signal));
}
