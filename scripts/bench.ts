/**
 * `make bench`: throughput of the real server process on this machine (embedded database unless
 * DATABASE_URL is set; loopback only; bounded in time). The load generator runs in this process,
 * the server in its own. Three runs: GET /me alone; a sign-in flood alone; both at once — the case
 * DESIGN §9 is about (argon2 hashing must not starve authenticated requests). Prints a table of
 * figures to compare between commits; nothing here passes or fails.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'barong-bench-'));
const port = await new Promise<number>((resolve) => {
  const probe = net.createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address() as net.AddressInfo;
    probe.close(() => resolve(free));
  });
});
const base = `http://127.0.0.1:${port}`;
const applicationId = 'bench-application';

console.log(`starting the server (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}) in ${dataDir}`);
const server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
  env: {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: process.env.DATABASE_URL ?? '',
    DEFAULT_APPLICATION_UID: applicationId,
    RATE_LIMIT_SIGN_IN_PER_IP: '1000000/60',
    RATE_LIMIT_SIGN_IN_PER_EMAIL: '1000000/60',
    SHUTDOWN_GRACE_MS: '0', // nothing to drain for: stop at once
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const stop = () => server.kill('SIGTERM');
process.on('exit', stop);

async function waitReady(): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(`${base}/api/v1/health/ready`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the server did not become ready');
}

/** Resident and peak memory of the server process (Linux /proc). */
function serverMemory(): string {
  try {
    const status = fs.readFileSync(`/proc/${server.pid}/status`, 'utf8');
    const field = (name: string) => Math.round(Number(status.match(new RegExp(`${name}:\\s+(\\d+) kB`))?.[1] ?? 0) / 1024);
    return `RSS ${field('VmRSS')} MiB, peak ${field('VmHWM')} MiB`;
  } catch {
    return 'not available on this system';
  }
}

async function post(url: string, body: unknown, token?: string) {
  const response = await fetch(`${base}${url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return response.json() as Promise<unknown>;
}

await waitReady();
// One account, confirmed with the link from the outbox mail (no SMTP is configured).
const email = `bench-${Date.now()}@example.com`;
const password = 'Secret123';
await post('/api/v1/accounts', { email, password });
const outbox = path.join(dataDir, 'outbox');
let confirmation: string | undefined;
for (let i = 0; i < 50 && !confirmation; i++) {
  await new Promise((r) => setTimeout(r, 100));
  const files = fs.existsSync(outbox) ? fs.readdirSync(outbox) : [];
  const text = files.map((f) => fs.readFileSync(path.join(outbox, f), 'utf8')).join('\n').replace(/=\r?\n/g, '');
  confirmation = text.match(/confirmation_token=3D([\w-]+)|confirmation_token=([\w-]+)/)?.slice(1).find(Boolean);
}
if (!confirmation) throw new Error('no confirmation mail in the outbox');
await post('/api/v1/accounts/confirm', { confirmation_token: confirmation });
const signIn = { email, password, application_id: applicationId };
const token = (await post('/api/v1/sessions', signIn)) as string;

const run = (title: string, options: autocannon.Options) =>
  new Promise<autocannon.Result>((resolve, reject) =>
    autocannon({ ...options, duration: SECONDS, title }, (error, result) => (error ? reject(error) : resolve(result))),
  );
const me = { url: `${base}/api/v1/accounts/me`, headers: { authorization: `Bearer ${token}` }, connections: 10 };
const login = {
  url: `${base}/api/v1/sessions`,
  method: 'POST' as const,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(signIn),
  connections: 50,
};

const rows: string[][] = [];
const row = (name: string, r: autocannon.Result) =>
  rows.push([name, String(Math.round(r.requests.average)), String(r.latency.p99), String(r.non2xx), String(r.errors)]);

console.log(`${SECONDS}s per run on ${os.cpus().length} cores`);
row('GET /me alone (10 conn)', await run('me', me));
row('POST /sessions alone (50 conn)', await run('login', login));
const [meUnderLoad, loginUnderLoad] = await Promise.all([run('me+login', me), run('login+me', login)]);
row('GET /me during the login flood', meUnderLoad);
row('POST /sessions during that flood', loginUnderLoad);

const header = ['run', 'req/s', 'p99 ms', 'non-2xx', 'errors'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const line of [header, ...rows]) console.log(line.map((c, i) => c.padEnd(widths[i])).join('  '));
console.log(`server memory: ${serverMemory()}`);

stop();
await new Promise((resolve) => server.once('exit', resolve));
fs.rmSync(dataDir, { recursive: true, force: true });
