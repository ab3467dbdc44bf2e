/**
 * WEB_CONCURRENCY=N: N worker processes (node:cluster) accept on one port, so the server uses every
 * core; JWT verification, JSON and argon2 run per process. Only on PostgreSQL with Redis (config
 * refuses otherwise): workers share the database and the rate-limit counters and keep nothing of
 * their own. The primary serves nothing and loads no server code. It writes the operator token
 * (the CLI reads one token for every worker), starts one worker, and the others once that one
 * listens, so migrations, generated key files and the default application are made once. A worker
 * that dies is replaced (not faster than once a second); SIGTERM/SIGINT are passed to the workers,
 * and the primary exits when they have.
 */
import cluster, { type Worker } from 'node:cluster';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { OPERATOR_TOKEN_FILE, writeOperatorToken } from './http/operator-token.js';

const RESPAWN_DELAY_MS = 1_000;

/** True in the primary of a cluster: it supervises and the caller must not serve. */
export function superviseWorkers(config: Config, log: Logger): boolean {
  if (config.webConcurrency <= 1 || !cluster.isPrimary) return false;
  writeOperatorToken(config.dataDir);
  log.info({ workers: config.webConcurrency, hashesPerWorker: config.passwordHash.concurrency }, 'starting worker processes (WEB_CONCURRENCY)');

  let stopping = false;
  const fork = (): Worker => cluster.fork();
  cluster.once('listening', () => {
    for (let i = 1; i < config.webConcurrency; i++) fork();
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    log.error({ pid: worker.process.pid, code, signal }, 'worker process died: starting another');
    setTimeout(fork, RESPAWN_DELAY_MS).unref();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping worker processes');
      const workers = Object.values(cluster.workers ?? {});
      if (workers.length === 0) process.exit(0);
      for (const worker of workers) worker?.process.kill(signal);
    });
  }
  fork();
  return true;
}

/** In a worker, the token the primary wrote; otherwise a fresh one for this server run. */
export function operatorTokenForThisProcess(dataDir: string): string {
  if (cluster.isWorker) return fs.readFileSync(path.join(dataDir, OPERATOR_TOKEN_FILE), 'utf8').trim();
  return writeOperatorToken(dataDir);
}
