/**
 * `make bench`: the server as `make start` runs it (compiled: package.json's start script) against
 * references measured in the same run on the same machine, so the ratios mean something even
 * where the absolute figures do not (a busy machine lowers both sides alike):
 *  - the reference routes of reference-server.ts (the same work written by hand),
 *  - the argon2id verify ceiling at the sign-in flood's concurrency (argon2-ceiling.ts), just
 *    before and just after the sign-in load, on libuv's default 4 threads and on one per core (the
 *    better is the ceiling), with the CPU a verify costs beside the CPU a sign-in costs,
 *  - the server's own /me rate without a sign-in flood;
 *  - RS256 signing alone (rs256-sign.ts): with the verify and the load generator's share, what a
 *    login route doing nothing else would reach against the ceiling.
 * The /me loads run in mirrored order around the sign-in loads (ours, by-hand, ..., by-hand, ours),
 * and each side's rate is the mean of its two.
 * On PostgreSQL (DATABASE_URL; skipped without it) and on the embedded database. Also with two
 * workers when Redis answers (BENCH_REDIS_URL, default redis://127.0.0.1:6379/14).
 * Every load, ours and the references alike, runs one second of warm-up on its connections before
 * the measured seconds: that second measures connection set-up and JIT compilation, not serving
 * (its p99 is printed beside each load). Start-up is measured on its own; on a fresh embedded data
 * dir it is the median of three starts.
 * It waits (up to a minute) for a second in which the machine's CPU is almost idle before it starts.
 * It prints each figure with its goal; it reports, it never fails.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { npmStartArguments } from '../npm-start.js';
import { compileScript, machineCpuTicks, namedProcessesCpuMs, ROOT, startMeasured, waitForQuietMachine, type Measured } from './processes.js';
import { rs256SignCpuMs } from './rs256-sign.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = 1;
const CONNECTIONS = 50;
const CORES = os.availableParallelism();
/** libuv's thread pool when UV_THREADPOOL_SIZE is not set. */
const LIBUV_DEFAULT_THREADS = 4;
const DATABASE_URL = process.env.DATABASE_URL || undefined;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14';
const APPLICATION_ID = 'bench-application';
const PASSWORD = 'Secret123';
const SERVER = npmStartArguments(ROOT);
/** Starts on a fresh embedded data dir whose median is the start-up figure. */
const FRESH_STARTS = 3;
/** The bench starts once a second passes with less than this share of the CPU in use (a build just before would lower every figure)... */
const QUIET_BUSY_SHARE = 0.1;
/** ...or after this many seconds, whatever the machine is doing (BENCH_QUIET_WAIT_SECONDS). */
const QUIET_WAIT_SECONDS = Number(process.env.BENCH_QUIET_WAIT_SECONDS ?? 60);

if (!fs.existsSync(path.join(ROOT, 'dist/server/main.js'))) {
  console.error('dist/ is missing: run `make bench` (it builds first) or `npm run build`');
  process.exit(1);
}

interface Load {
  /** Answers with a 2xx status per second (refusals are cheap and would flatter the rate). */
  rps: number;
  /** Of the answers after the warm-up, ms. */
  p99: number;
  /** Of the warm-up second's answers, ms; undefined when none came. */
  warmupP99?: number;
  non2xx: number;
  /** Count per status, e.g. { 201: 880 }. */
  statuses: Record<string, number>;
  errors: number;
  /** With a meter: CPU ms per 2xx answer in the measured seconds, by part. */
  cpuPerAnswer?: Record<string, number>;
}

/** CPU ms spent so far, by part (e.g. { 'event loop': 1234 }): read when the measured seconds start and end. */
type Meter = () => Record<string, number>;

interface Row {
  figure: string;
  value: string;
  reference: string;
  goal: string;
  met?: boolean;
}
const rows: Row[] = [];
const notes: string[] = [];

function serverEnv(dataDir: string, extra: Record<string, string | undefined> = {}) {
  return {
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    DATABASE_URL: undefined as string | undefined,
    DEFAULT_APPLICATION_UID: APPLICATION_ID,
    RATE_LIMIT_SIGN_IN_PER_IP: '1000000/60',
    RATE_LIMIT_SIGN_IN_PER_EMAIL: '1000000/60',
    RATE_LIMIT_SIGN_UP_PER_IP: '1000000/60',
    RATE_LIMIT_CONFIRM_PER_IP: '1000000/60',
    SHUTDOWN_GRACE_MS: '0', // nothing to drain for: stop at once
    ...extra,
  };
}

function startServer(dataDir: string, extra: Record<string, string | undefined> = {}): Promise<Measured> {
  return startMeasured({ args: SERVER, env: serverEnv(dataDir, extra), readyPath: '/api/v1/health/ready' });
}

/** Two runs of one load as one: the mean rate, the higher p99s, the answers of both. */
function meanLoad(a: Load, b: Load): Load {
  const statuses = { ...a.statuses };
  for (const [status, count] of Object.entries(b.statuses)) statuses[status] = (statuses[status] ?? 0) + count;
  const higher = (x?: number, y?: number) => (x === undefined ? y : y === undefined ? x : Math.max(x, y));
  return {
    rps: (a.rps + b.rps) / 2,
    p99: Math.max(a.p99, b.p99),
    warmupP99: higher(a.warmupP99, b.warmupP99),
    non2xx: a.non2xx + b.non2xx,
    statuses,
    errors: a.errors + b.errors,
  };
}

/** The p99 of `latencies` (ms), undefined for none. */
function p99Of(latencies: number[]): number | undefined {
  if (latencies.length === 0) return undefined;
  const sorted = [...latencies].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length * 0.99) - 1];
}

/** Load for WARMUP_SECONDS + SECONDS; rates, statuses, p99 and CPU are of the answers after the warm-up. */
function load(url: string, options: Partial<autocannon.Options> & { path: string }, meter?: Meter): Promise<Load> {
  const { path: urlPath, ...rest } = options;
  const warmup: number[] = [];
  const measured: number[] = [];
  const statuses: Record<string, number> = {};
  const measuredFrom = performance.now() + WARMUP_SECONDS * 1000;
  let cpuAtStart: Record<string, number> | undefined;
  if (meter) setTimeout(() => (cpuAtStart = meter()), WARMUP_SECONDS * 1000);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url: `${url}${urlPath}`, connections: CONNECTIONS, duration: WARMUP_SECONDS + SECONDS, ...rest },
      (error, r) => {
        if (error) return reject(error);
        const seconds = (performance.now() - measuredFrom) / 1000;
        const twoHundreds = Object.entries(statuses)
          .filter(([status]) => status.startsWith('2'))
          .reduce((sum, [, count]) => sum + count, 0);
        const cpuAtEnd = cpuAtStart && twoHundreds > 0 ? meter!() : undefined;
        resolve({
          rps: twoHundreds / seconds,
          p99: p99Of(measured) ?? 0,
          warmupP99: p99Of(warmup),
          non2xx: measured.length - twoHundreds,
          statuses,
          errors: r.errors + r.timeouts,
          cpuPerAnswer: cpuAtEnd && Object.fromEntries(Object.entries(cpuAtEnd).map(([part, ms]) => [part, (ms - cpuAtStart![part]) / twoHundreds])),
        });
      },
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, latencyMs: number) => {
      if (performance.now() < measuredFrom) return void warmup.push(latencyMs);
      measured.push(latencyMs);
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
  });
}

const meLoad = (url: string, token: string, urlPath = '/api/v1/accounts/me') =>
  load(url, { path: urlPath, headers: { authorization: `Bearer ${token}` } });
/**
 * Sign-ins of `emails` in turn: one account per connection, as a flood of users signing in. (One
 * account signed in 50 times at once is refused past LOCKOUT_MAX_ATTEMPTS by design: each attempt
 * is reserved before its hash, so parallel guesses never check more passwords than the limit.)
 */
const signInLoad = (url: string, emails: string[], urlPath = '/api/v1/sessions', meter?: Meter) => {
  let next = 0;
  const body = () => JSON.stringify({ email: emails[next++ % emails.length], password: PASSWORD, application_id: APPLICATION_ID });
  return load(
    url,
    {
      path: urlPath,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      requests: [{ setupRequest: (request) => ({ ...request, body: body() }) }],
    },
    meter,
  );
};

/**
 * Where a sign-in's CPU goes: the server's event loop, its other threads (argon2id, RS256 signing,
 * garbage collection), the local PostgreSQL's processes (0 for a database elsewhere) and this
 * process, which generates the load. On a saturated machine, cores ÷ their sum is the rate.
 */
const signInMeter = (server: Measured): Meter => () => {
  const { mainMs, otherThreadsMs } = server.threadCpu();
  const self = process.cpuUsage();
  return {
    'event loop': mainMs,
    'other threads': otherThreadsMs,
    PostgreSQL: namedProcessesCpuMs('postgres'),
    'load generator': (self.user + self.system) / 1000,
  };
};

async function post(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

/**
 * Signs up `count` accounts and confirms each with the link from its outbox mail; answers their
 * emails and a session JWT of the first.
 */
async function prepareAccounts(server: Measured, dataDir: string, count: number): Promise<{ emails: string[]; token: string }> {
  const stamp = Date.now();
  const emails = Array.from({ length: count }, (_, i) => `bench-${stamp}-${i}@example.com`);
  for (const email of emails) {
    const signUp = await post(`${server.url}/api/v1/accounts`, { email, password: PASSWORD });
    if (signUp.status !== 201) throw new Error(`sign-up answered ${signUp.status}: ${JSON.stringify(signUp.body)}`);
  }
  const outbox = path.join(dataDir, 'outbox');
  let tokens = new Set<string>();
  for (let i = 0; i < 300 && tokens.size < count; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const files = fs.existsSync(outbox) ? fs.readdirSync(outbox) : [];
    const text = files.map((f) => fs.readFileSync(path.join(outbox, f), 'utf8')).join('\n').replace(/=\r?\n/g, '');
    tokens = new Set([...text.matchAll(/confirmation_token=(?:3D)?([\w-]+)/g)].map((m) => m[1]));
  }
  if (tokens.size < count) throw new Error(`${tokens.size} of ${count} confirmation mails in the outbox`);
  for (const token of tokens) await post(`${server.url}/api/v1/accounts/confirm`, { confirmation_token: token });
  const session = await post(`${server.url}/api/v1/sessions`, { email: emails[0], password: PASSWORD, application_id: APPLICATION_ID });
  if (session.status !== 201) throw new Error(`sign-in answered ${session.status}: ${JSON.stringify(session.body)}`);
  return { emails, token: session.body as string };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
const x = (r: number) => `${r.toFixed(2)}×`;
const refusals = (l: Load) =>
  Object.entries(l.statuses)
    .filter(([status]) => !status.startsWith('2'))
    .map(([status, count]) => `${count}× ${status}`)
    .join(', ');
const ms = (n: number | undefined) => (n === undefined ? 'none answered' : `${n.toFixed(1)} ms`);
const loadText = (l: Load) =>
  `${fmt(l.rps)} req/s, p99 ${ms(l.p99)}${l.non2xx + l.errors ? ` (non-2xx: ${refusals(l) || 'none'}; ${l.errors} errors)` : ''}`;
const logText = (l: Load) => `${loadText(l)}; warm-up p99 ${ms(l.warmupP99)}`;
const cpuText = (l: Load) => {
  const parts = Object.entries(l.cpuPerAnswer ?? {}).filter(([, cpuMs]) => cpuMs > 0);
  if (parts.length === 0) return 'not measured';
  const total = parts.reduce((sum, [, cpuMs]) => sum + cpuMs, 0);
  return `${total.toFixed(1)} = ${parts.map(([part, cpuMs]) => `${part} ${cpuMs.toFixed(2)}`).join(' + ')}`;
};
const ceilingsText = (ceilings: Map<number, Ceiling>) =>
  [...ceilings].map(([threads, c]) => `${fmt(c.opsPerSecond)} ops/s on ${threads} threads (${c.cpuMsPerVerify.toFixed(1)} ms CPU each)`).join(', ');
/** The entry of `map` whose value scores highest. */
const best = <K, V>(map: Map<K, V>, score: (value: V) => number): [K, V] =>
  [...map].reduce((top, entry) => (score(entry[1]) > score(top[1]) ? entry : top));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const readyText = (m: Measured) => `${seconds(m.ready.wallMs)} (CPU ${seconds(m.ready.cpuMs)})`;

async function redisAnswers(url: string): Promise<boolean> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000, enableOfflineQueue: false });
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

async function onPostgres(databaseUrl: string): Promise<void> {
  console.log('\n== PostgreSQL (DATABASE_URL) ==');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'barong-bench-pg-'));
  try {
    // The first start migrates the database and generates the keys; the accounts are made with it.
    // The figures are of a restart, as an operator's deploy or a crash restarts it.
    const first = await startServer(dataDir, { DATABASE_URL: databaseUrl });
    const { emails, token } = await prepareAccounts(first, dataDir, CONNECTIONS);
    await first.stop();
    const server = await startServer(dataDir, { DATABASE_URL: databaseUrl });
    await new Promise((r) => setTimeout(r, 1_000));
    const idle = server.memory();
    console.log(`first start (migrations, keys) ready in ${readyText(first)}`);
    console.log(`restart ready in ${readyText(server)}, ${idle.rssMiB} MiB idle; measuring ${SECONDS} s per run, ${CONNECTIONS} connections`);

    // The by-hand routes run beside the server, idle but while they are measured, so that the two
    // /me loads go in mirrored order around the sign-in loads (ours, by-hand ... by-hand, ours): a
    // machine whose speed drifts during the run moves both sides of the ratio alike.
    const reference = await startReference(databaseUrl, dataDir);
    await new Promise((r) => setTimeout(r, 1_000));
    const referenceIdle = reference.memory();

    const peakUnderMe = server.sampleRss();
    const meBefore = await meLoad(server.url, token);
    const meRss = peakUnderMe();
    const referencePeak = reference.sampleRss();
    const referenceMeBefore = await meLoad(reference.url, token, '/me');
    const referenceMeRss = referencePeak();
    console.log(`  GET /me                ${logText(meBefore)}`);
    console.log(`  reference /me          ${logText(referenceMeBefore)}`);
    // The ceiling just before and just after the sign-in load (their mean is the reference), so a
    // machine whose speed drifts during the run moves both sides of the ratio alike.
    const digest = await storedDigest(databaseUrl, emails[0]);
    const signCpuMs = await rs256SignCpuMs();
    const { measured: signIns, ceilings } = await ceilingAround(digest, () =>
      signInLoad(server.url, emails, undefined, signInMeter(server)),
    );
    const [ceilingThreads, ceiling] = best(ceilings, (c) => c.opsPerSecond);
    console.log(`  POST /sessions         ${logText(signIns)}`);
    console.log(`  CPU per sign-in        ${cpuText(signIns)}`);
    console.log(`  argon2id verify alone  ${ceilingsText(ceilings)}; each the mean of just before and just after`);
    console.log(`  RS256 signing alone    ${signCpuMs.toFixed(2)} ms CPU per token (jose, 2048-bit key)`);
    const [meFlooded, signInsFlooding] = await Promise.all([meLoad(server.url, token), signInLoad(server.url, emails)]);
    console.log(`  /me during the flood   ${logText(meFlooded)} (sign-ins ${logText(signInsFlooding)})`);
    const afterLoad = server.memory();

    // (Memory under /me is of the first runs: after the floods, the hash workers hold theirs.)
    const referenceMeAfter = await meLoad(reference.url, token, '/me');
    const meAfter = await meLoad(server.url, token);
    console.log(`  reference /me again    ${logText(referenceMeAfter)}`);
    console.log(`  GET /me again          ${logText(meAfter)}`);
    const me = meanLoad(meBefore, meAfter);
    const referenceMe = meanLoad(referenceMeBefore, referenceMeAfter);
    // The by-hand login hashes on libuv's pool: measured on its default size and on one thread per core.
    const referenceLogins = new Map([[LIBUV_DEFAULT_THREADS, await signInLoad(reference.url, emails, '/login', signInMeter(reference))]]);
    await reference.stop();
    if (CORES !== LIBUV_DEFAULT_THREADS) {
      const onCores = await startReference(databaseUrl, dataDir, CORES);
      referenceLogins.set(CORES, await signInLoad(onCores.url, emails, '/login', signInMeter(onCores)));
      await onCores.stop();
    }
    for (const [threads, login] of referenceLogins) console.log(`  reference login, ${threads} threads: ${logText(login)}; CPU ${cpuText(login)}`);
    const [referenceThreads, referenceSignIns] = best(referenceLogins, (l) => l.rps);

    const betterAuthMe = await measureBetterAuth(databaseUrl);
    if (betterAuthMe) console.log(`  Better Auth session    ${logText(betterAuthMe)}`);

    await server.stop();

    const meRatio = ratio(me.rps, referenceMe.rps);
    const betterAuthRatio = betterAuthMe ? ratio(me.rps, betterAuthMe.rps) : undefined;
    rows.push({
      figure: 'GET /v1/accounts/me, 50 connections (PostgreSQL)',
      value: loadText(me),
      reference:
        `by-hand fastify + jose + Kysely route ${fmt(referenceMe.rps)} req/s: ${x(meRatio)}; ` +
        (betterAuthMe ? `Better Auth get-session ${fmt(betterAuthMe.rps)} req/s: ${x(betterAuthRatio!)}` : 'Better Auth not measured'),
      goal: '≥ 1.25× the by-hand route, ≥ 8× Better Auth',
      met: meRatio >= 1.25 && (betterAuthRatio === undefined || betterAuthRatio >= 8),
    });
    const ceilingRatio = ratio(signIns.rps, ceiling.opsPerSecond);
    // A sign-in cannot cost less than its verify, its RS256 signature and the load generator's share
    // of the same cores: on a saturated machine the rate is cores ÷ CPU per sign-in, so this is about
    // the most any login route could reach against the ceiling here. (The load generator's share is
    // the smaller of the two login loads' per answer: a bare route would cost it no more.)
    const loadGeneratorShares = [signIns, referenceSignIns].flatMap((l) => l.cpuPerAnswer?.['load generator'] ?? []);
    const loadGeneratorMs = loadGeneratorShares.length > 0 ? Math.min(...loadGeneratorShares) : 0;
    const bestCeilingRatio = ceiling.cpuMsPerVerify / (ceiling.cpuMsPerVerify + signCpuMs + loadGeneratorMs);
    rows.push({
      figure: 'POST /v1/sessions, 50 connections (argon2id m=19456 t=2)',
      value: `${loadText(signIns)}`,
      reference:
        `argon2id verify alone ${fmt(ceiling.opsPerSecond)} ops/s on ${ceilingThreads} threads: ${x(ceilingRatio)} ` +
        `(${[...ceilings].map(([threads, c]) => `${threads} threads ${x(ratio(signIns.rps, c.opsPerSecond))}`).join(', ')}); ` +
        `by-hand login route ${fmt(referenceSignIns.rps)} req/s on ${referenceThreads} threads: ${x(ratio(signIns.rps, referenceSignIns.rps))}; ` +
        `a route doing nothing but the verify (${ceiling.cpuMsPerVerify.toFixed(1)} ms CPU), the RS256 signature (${signCpuMs.toFixed(2)} ms) ` +
        `and the load generator's share (${loadGeneratorMs.toFixed(2)} ms) would reach about ${x(bestCeilingRatio)}`,
      goal: '≥ 0.9× the verify ceiling',
      met: ceilingRatio >= 0.9,
    });
    rows.push({
      figure: 'CPU per sign-in, ms (cores ÷ the sum: the most sign-ins a saturated machine answers)',
      value: cpuText(signIns),
      reference: `by-hand login route ${cpuText(referenceSignIns)}; a verify alone ${ceiling.cpuMsPerVerify.toFixed(1)}; RS256 signing alone ${signCpuMs.toFixed(2)}`,
      goal: 'report',
    });
    const floodRatio = ratio(meFlooded.rps, me.rps);
    rows.push({
      figure: '/me during a 50-connection sign-in flood',
      value: `${x(floodRatio)} its unloaded rate, p99 ${ms(meFlooded.p99)} (warm-up second, not counted: p99 ${ms(meFlooded.warmupP99)})`,
      // Little's law: with every connection always waiting on an answer, the mean latency is
      // connections ÷ rate, and the p99 is at least the mean.
      reference:
        `unloaded ${fmt(me.rps)} req/s; a p99 under 20 ms at ${CONNECTIONS} connections needs more than ${fmt(CONNECTIONS / 0.02)} req/s ` +
        `(mean latency = connections ÷ rate), and the flood's /me got ${fmt(meFlooded.rps)}; with no flood at all, the p99 was ` +
        `${ms(me.p99)} here and ${ms(referenceMe.p99)} on the by-hand route`,
      goal: '≥ 0.35×, p99 < 20 ms',
      met: floodRatio >= 0.35 && meFlooded.p99 < 20,
    });
    rows.push({
      figure: 'server RSS on PostgreSQL',
      value: `${idle.rssMiB} MiB after start, ${meRss} MiB peak under /me load (after the sign-in floods: ${afterLoad.rssMiB} MiB, with the hash workers' memory)`,
      reference: `by-hand route ${referenceIdle.rssMiB} MiB idle, ${referenceMeRss} MiB under /me load`,
      goal: '≤ 130 MiB idle, ≤ 150 MiB under load',
      met: idle.rssMiB <= 130 && meRss <= 150,
    });
    rows.push({
      figure: 'start to ready on PostgreSQL',
      value: `restart ${readyText(server)}; first start (migrations, keys generated) ${readyText(first)}`,
      reference: '—',
      goal: '≤ 1 s',
      met: server.ready.wallMs <= 1_000,
    });

    if (await redisAnswers(REDIS_URL)) {
      const cluster = await startServer(dataDir, { DATABASE_URL: databaseUrl, WEB_CONCURRENCY: '2', REDIS_URL });
      await new Promise((r) => setTimeout(r, 2_000)); // the second worker starts once the first listens
      const clusterIdle = cluster.memory();
      const me2 = await meLoad(cluster.url, token);
      const signIns2 = await signInLoad(cluster.url, emails);
      const clusterLoaded = cluster.memory();
      await cluster.stop();
      console.log(`  2 workers: /me ${logText(me2)}; sign-in ${logText(signIns2)}`);
      rows.push({
        figure: 'WEB_CONCURRENCY=2 (Redis rate limits), same loads',
        value: `/me ${fmt(me2.rps)} req/s (${x(ratio(me2.rps, me.rps))} of 1 worker); sign-in ${fmt(signIns2.rps)} req/s (${x(ratio(signIns2.rps, signIns.rps))})`,
        reference: `RSS of primary + workers ${clusterIdle.rssMiB} MiB idle, ${clusterLoaded.rssMiB} MiB after load`,
        goal: 'report (more than one core needed to gain)',
      });
    } else {
      notes.push(`2 workers not measured: no Redis answers at ${REDIS_URL} (set BENCH_REDIS_URL)`);
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The by-hand routes (reference-server.ts) on the server's database and signing key; `threads`: libuv's pool. */
function startReference(databaseUrl: string, dataDir: string, threads?: number): Promise<Measured> {
  return startMeasured({
    args: [compileScript('reference-server')],
    env: {
      DATABASE_URL: databaseUrl,
      KEY_FILE: path.join(dataDir, 'keys/jwt-private.pem'),
      UV_THREADPOOL_SIZE: threads === undefined ? undefined : String(threads),
    },
    readyPath: '/ready',
  });
}

async function storedDigest(databaseUrl: string, email: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query('select password_digest from accounts where email = $1', [email])).rows[0].password_digest as string;
  } finally {
    await client.end();
  }
}

interface Ceiling {
  opsPerSecond: number;
  cpuMsPerVerify: number;
}

/**
 * argon2id verifications alone (argon2-ceiling.ts), at the loads' concurrency and warm-up, on
 * `threads` of libuv's pool.
 */
function verifyCeiling(digest: string, threads: number): Ceiling {
  const run = spawnSync(process.execPath, [compileScript('argon2-ceiling')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      UV_THREADPOOL_SIZE: String(threads),
      DIGEST: digest,
      PASSWORD,
      CONCURRENCY: String(CONNECTIONS),
      SECONDS: String(SECONDS),
      WARMUP_SECONDS: String(WARMUP_SECONDS),
    },
    encoding: 'utf8',
  });
  return JSON.parse(run.stdout.trim()) as Ceiling;
}

/**
 * The verify ceiling around `measure` (the sign-in load): on libuv's default pool and on one thread
 * per core, each just before and just after it (in mirrored order, so a machine whose speed drifts
 * moves both alike); each pool size's figure is the mean of its two. The ceiling is the better one:
 * on 2 cores, 4 threads of 19 MiB hashes take turns on them and do fewer verifies than 2.
 */
async function ceilingAround<T>(digest: string, measure: () => Promise<T>): Promise<{ measured: T; ceilings: Map<number, Ceiling> }> {
  const poolSizes = [...new Set([LIBUV_DEFAULT_THREADS, CORES])];
  const before = new Map(poolSizes.map((threads) => [threads, verifyCeiling(digest, threads)]));
  const measured = await measure();
  const after = new Map([...poolSizes].reverse().map((threads) => [threads, verifyCeiling(digest, threads)]));
  const mean = (threads: number, key: keyof Ceiling) => (before.get(threads)![key] + after.get(threads)![key]) / 2;
  const ceilings = new Map(
    poolSizes.map((threads) => [threads, { opsPerSecond: mean(threads, 'opsPerSecond'), cpuMsPerVerify: mean(threads, 'cpuMsPerVerify') }]),
  );
  return { measured, ceilings };
}

/** Better Auth's get-session with a session cookie, at the same load; undefined (and a note) if it cannot run. */
async function measureBetterAuth(databaseUrl: string): Promise<Load | undefined> {
  let server: Measured | undefined;
  try {
    server = await startMeasured({ args: [compileScript('better-auth-server')], env: { DATABASE_URL: databaseUrl }, readyPath: '/ready' });
    const signUp = await fetch(`${server.url}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email: `bench-${Date.now()}@example.com`, password: 'Secret123456', name: 'Bench' }),
    });
    const cookie = signUp.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const session = await fetch(`${server.url}/api/auth/get-session`, { headers: { cookie } }).then((r) => r.json());
    if (!signUp.ok || !(session as { session?: unknown } | null)?.session) throw new Error(`sign-up answered ${signUp.status}, no session`);
    return await load(server.url, { path: '/api/auth/get-session', headers: { cookie } });
  } catch (error) {
    notes.push(`Better Auth not measured: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  } finally {
    await server?.stop();
  }
}

/** Start to ready on an embedded data dir of its own, which is removed afterwards. */
async function freshStartReady(): Promise<Measured['ready']> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'barong-bench-pglite-'));
  try {
    const server = await startServer(dataDir);
    await server.stop();
    return server.ready;
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function onEmbedded(): Promise<void> {
  console.log('\n== embedded database (PGlite) ==');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'barong-bench-pglite-'));
  try {
    const first = await startServer(dataDir);
    await new Promise((r) => setTimeout(r, 1_000));
    const firstMemory = first.memory();
    const { token } = await prepareAccounts(first, dataDir, 1);
    console.log(`first start: ready in ${readyText(first)}, ${firstMemory.rssMiB} MiB, peak ${firstMemory.peakMiB} MiB`);
    await first.stop();

    // One start is one draw of the RSA key generation (random, 0.1-0.4 s of CPU here) and of the
    // machine's noise: the figure is the median of FRESH_STARTS starts, each on a data dir of its own.
    const fresh = [first.ready];
    while (fresh.length < FRESH_STARTS) fresh.push(await freshStartReady());
    const freshWallMs = median(fresh.map((ready) => ready.wallMs));
    const freshText = `fresh data dir ${seconds(freshWallMs)}, the median of ${fresh.length} starts (${fresh.map((ready) => seconds(ready.wallMs)).join(', ')})`;
    console.log(freshText);

    const again = await startServer(dataDir);
    await new Promise((r) => setTimeout(r, 1_000));
    const idle = again.memory();
    console.log(`existing data dir: ready in ${readyText(again)}, ${idle.rssMiB} MiB idle`);
    const peak = again.sampleRss();
    const me = await meLoad(again.url, token);
    const loadedRss = peak();
    console.log(`  GET /me                ${logText(me)}, ${loadedRss} MiB under load`);
    await again.stop();

    rows.push({
      figure: 'server RSS on the embedded database',
      value: `${idle.rssMiB} MiB idle on an existing data dir (${loadedRss} MiB under /me load: ${fmt(me.rps)} req/s); first start: ${firstMemory.rssMiB} MiB, peak ${firstMemory.peakMiB} MiB`,
      reference: '—',
      goal: '≤ 300 MiB idle, first start peak ≤ 450 MiB',
      met: idle.rssMiB <= 300 && firstMemory.peakMiB <= 450,
    });
    rows.push({
      figure: 'start to ready on the embedded database',
      value: `${freshText}; existing ${readyText(again)}`,
      reference: '—',
      goal: '≤ 2 s on a fresh data dir',
      met: freshWallMs <= 2_000,
    });
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const load1 = os.loadavg()[0];
console.log(`make bench: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, load average ${load1.toFixed(2)} at start`);
const quiet = await waitForQuietMachine(QUIET_BUSY_SHARE, QUIET_WAIT_SECONDS);
if (quiet) {
  const busy = `${(quiet.busy * 100).toFixed(0)}% of the CPU busy`;
  if (quiet.busy >= QUIET_BUSY_SHARE) console.log(`the machine did not go quiet within ${QUIET_WAIT_SECONDS} s (${busy} in the last second): measuring anyway`);
  else if (quiet.waitedSeconds > 1) console.log(`waited ${quiet.waitedSeconds} s for the machine to go quiet (${busy} in the last second)`);
}
const machineAtStart = machineCpuTicks();
if (DATABASE_URL) await onPostgres(DATABASE_URL);
else notes.push('PostgreSQL rows not measured: set DATABASE_URL (a database the bench may write accounts into)');
await onEmbedded();

console.log('\n| Figure | Measured | Reference in the same run | Goal | Met |');
console.log('|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.figure} | ${r.value} | ${r.reference} | ${r.goal} | ${r.met === undefined ? '—' : r.met ? 'yes' : 'no'} |`);
}
for (const note of notes) console.log(`\nnote: ${note}`);
console.log(`\nload average ${os.loadavg()[0].toFixed(2)} at the end: figures from a busy machine are low; compare the ratios.`);
const machineAtEnd = machineCpuTicks();
if (machineAtStart && machineAtEnd && machineAtEnd.total > machineAtStart.total) {
  const stolen = (machineAtEnd.steal - machineAtStart.steal) / (machineAtEnd.total - machineAtStart.total);
  console.log(`CPU steal: the hypervisor gave ${(stolen * 100).toFixed(0)}% of this VM's CPU time during the run to other guests.`);
}
