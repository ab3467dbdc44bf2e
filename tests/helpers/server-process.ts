/**
 * The real server as a separate process (`node --import tsx src/main.ts`), as an operator runs it:
 * a temp DATA_DIR (a copy of the migrated PGlite template when the suite has one, or
 * DATABASE_URL=TEST_DATABASE_URL), a free PORT on 127.0.0.1, and whatever env the test adds
 * (SMTP_*, TWILIO_*). Resolves once GET /api/v1/health/ready answers 200.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { pgliteDirOf } from '../../src/db/database.js';
import { npmStartArguments } from '../../scripts/npm-start.js';
import { mountedSpec } from '../../src/http/spec.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** TEST_SERVER=compiled: processes run what `make start` and `make cli` run (the bundles in dist/, built by `make build`) instead of the sources. */
const COMPILED = process.env.TEST_SERVER === 'compiled';

/**
 * The operator CLI bundled from the sources by the global setup, one level below the project root
 * like dist/server (src/package-root.ts). Each command ran in 2.5 s through tsx, 1.5 s bundled.
 */
export const SOURCE_CLI_DIR = '.test-cli';

/** node's arguments for the operator CLI, before the command's own. */
export const CLI_ARGUMENTS = [COMPILED ? 'dist/server/cli.js' : `${SOURCE_CLI_DIR}/cli.js`];

export interface ServerProcess {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  /** The operator token the server wrote to DATA_DIR/operator-token. */
  operatorToken(): string;
  /** Everything the process printed so far (its JSON log), for failure messages. */
  output(): string;
  /** SIGTERM, wait for the exit (SIGKILL after 10 s), remove the temp DATA_DIR. */
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  /** Extra environment (SMTP_ADDRESS, TWILIO_*, RATE_LIMIT_*, ...). */
  env?: Record<string, string | undefined>;
  /** Use this DATA_DIR (kept on stop) instead of a fresh temp one. */
  dataDir?: string;
  readyTimeoutMs?: number;
}

/** A child process whose output is kept (the tail of it) for failure messages. */
function spawnCollecting(args: string[], options: { env: Record<string, string | undefined>; cwd?: string }) {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: Object.fromEntries(Object.entries(options.env).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  return {
    child,
    output: () => output,
    exitCode: () => exitCode,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
}

/** Polls `probe` until it is true; fails early when the process exits, or at the deadline. */
async function waitUntil(
  name: string,
  proc: ReturnType<typeof spawnCollecting>,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode() !== undefined) {
      throw new Error(`${name} exited with code ${proc.exitCode()} before it was ready:\n${proc.output().slice(-5_000)}`);
    }
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new Error(`${name} was not ready within ${timeoutMs} ms:\n${proc.output().slice(-5_000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The migrated PGlite template of this vitest run, when there is one (not outside vitest or on PostgreSQL). */
function pgliteTemplate(): string | undefined {
  try {
    return inject('pgliteTemplate') || undefined;
  } catch {
    return undefined;
  }
}

export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const ownDataDir = !options.dataDir;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'barong-server-'));
  const databaseUrl = process.env.TEST_DATABASE_URL;
  const template = databaseUrl ? undefined : pgliteTemplate();
  if (template && !fs.existsSync(pgliteDirOf(dataDir))) fs.cpSync(template, pgliteDirOf(dataDir), { recursive: true });

  const port = await freePort();
  const env = {
    ...inheritedEnv(),
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    // No drain on stop unless a test asks for one (tests/e2e/shutdown.test.ts).
    SHUTDOWN_GRACE_MS: '0',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    // Test files share TEST_DATABASE_URL: each server delivers only its own mails and events.
    OUTBOX_QUEUE: `test-${process.pid}-${port}`,
    ...options.env,
  };
  const entry = COMPILED ? npmStartArguments(PROJECT_ROOT) : ['--import', 'tsx', 'src/main.ts'];
  const proc = spawnCollecting(entry, { env });
  const url = `http://127.0.0.1:${port}`;
  const server: ServerProcess = {
    url,
    port,
    dataDir,
    child: proc.child,
    operatorToken: () => fs.readFileSync(path.join(dataDir, 'operator-token'), 'utf8').trim(),
    output: proc.output,
    async stop() {
      await proc.stop();
      if (ownDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await waitUntil(
      'the server',
      proc,
      async () => (await fetch(`${url}/api/v1/health/ready`, { signal: AbortSignal.timeout(2_000) })).status === 200,
      options.readyTimeoutMs ?? 60_000,
    );
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** Only what a child needs from this process: its settings come from the env it is given alone. */
function inheritedEnv(): Record<string, string | undefined> {
  return Object.fromEntries(['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'].map((k) => [k, process.env[k]]));
}

export interface PrismProxy {
  /** Where to send requests instead of the server, e.g. http://127.0.0.1:41235 */
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Stoplight Prism as a validating proxy in front of `upstream` (`prism proxy --errors`): it checks
 * every request and response against the document, answering 422 (request) or 500 (response) with
 * application/problem+json on an error, and listing lesser violations in an `sl-violations` header.
 * Prism matches request paths against the document's paths as they are and does not apply a
 * relative server url (`/api`), so it gets a copy of the document whose paths carry their server
 * base, the same one openapi-glue mounts (src/http/spec.ts mountedSpec), in a temp dir.
 */
export async function startPrismProxy(upstream: string, options: { readyTimeoutMs?: number } = {}): Promise<PrismProxy> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'barong-prism-'));
  const specFile = path.join(dir, 'barong.mounted.json');
  fs.writeFileSync(specFile, JSON.stringify(mountedSpec(), null, 2));
  const port = await freePort();
  const cli = fileURLToPath(new URL('../../node_modules/@stoplight/prism-cli/dist/index.js', import.meta.url));
  const proc = spawnCollecting([cli, 'proxy', '--errors', '-h', '127.0.0.1', '-p', String(port), specFile, upstream], {
    env: inheritedEnv(),
    cwd: dir,
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await proc.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(
      'prism',
      proc,
      async () => (await fetch(`${url}/api/v1/health/alive`, { signal: AbortSignal.timeout(2_000) })).status === 200,
      options.readyTimeoutMs ?? 60_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, output: proc.output, stop };
}
