/**
 * Processes under measurement: start one, time it to ready (wall clock and the CPU it spent, which
 * a busy machine inflates far less), read its memory (the whole process tree: a cluster's primary
 * and workers), sample the peak while load runs, stop it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import ts from 'typescript';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const CLOCK_TICKS = 100; // USER_HZ on Linux

export interface Memory {
  rssMiB: number;
  /** Sum of each process's own peak (VmHWM). */
  peakMiB: number;
}

export interface Measured {
  child: ChildProcess;
  url: string;
  port: number;
  /** Spawn to the first 200 of the ready URL: wall ms, and CPU ms the tree spent by then. */
  ready: { wallMs: number; cpuMs: number };
  memory(): Memory;
  /** CPU ms the process has spent so far: its main thread (the event loop) and its other threads. */
  threadCpu(): { mainMs: number; otherThreadsMs: number };
  /** Samples the tree's RSS every 200 ms until the returned function is called; it returns the peak. */
  sampleRss(): () => number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export async function startMeasured(options: {
  args: string[];
  env: Record<string, string | undefined>;
  readyPath: string;
}): Promise<Measured> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env, PORT: String(port) };
  const started = performance.now();
  const child = spawn(process.execPath, options.args, {
    cwd: ROOT,
    env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let wallMs = 0;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${options.args.join(' ')} exited with ${child.exitCode} before it was ready`);
    const ok = await fetch(`${url}${options.readyPath}`).then((r) => r.ok, () => false);
    if (ok) {
      wallMs = performance.now() - started;
      break;
    }
    if (performance.now() - started > 120_000) throw new Error(`${options.args.join(' ')} was not ready after 120 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const pid = child.pid!;
  return {
    child,
    url,
    port,
    ready: { wallMs, cpuMs: treeCpuMs(pid) },
    memory: () => treeMemory(pid),
    threadCpu: () => threadCpuMs(pid),
    sampleRss() {
      let peak = treeMemory(pid).rssMiB;
      const timer = setInterval(() => (peak = Math.max(peak, treeMemory(pid).rssMiB)), 200);
      return () => {
        clearInterval(timer);
        return Math.max(peak, treeMemory(pid).rssMiB);
      };
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function treePids(pid: number): number[] {
  const pids = [pid];
  try {
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      const children = fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of children ? children.split(/\s+/) : []) pids.push(...treePids(Number(child)));
    }
  } catch {
    // gone meanwhile
  }
  return pids;
}

function treeMemory(pid: number): Memory {
  let rss = 0;
  let peak = 0;
  for (const p of treePids(pid)) {
    try {
      const status = fs.readFileSync(`/proc/${p}/status`, 'utf8');
      rss += Number(status.match(/VmRSS:\s+(\d+) kB/)?.[1] ?? 0);
      peak += Number(status.match(/VmHWM:\s+(\d+) kB/)?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return { rssMiB: Math.round(rss / 1024), peakMiB: Math.round(peak / 1024) };
}

/** user + system CPU of the tree, including children that already exited and were waited for. */
function treeCpuMs(pid: number): number {
  let ms = 0;
  for (const p of treePids(pid)) ms += cpuMsOf(statFields(`/proc/${p}/stat`), true);
  return ms;
}

/** The fields of a /proc stat file after the command name (field 3 on), undefined once it is gone. */
function statFields(file: string): string[] | undefined {
  try {
    const stat = fs.readFileSync(file, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime (stat fields 14-15), and with `reapedChildren` cutime + cstime (16-17), in ms. */
function cpuMsOf(fields: string[] | undefined, reapedChildren = false): number {
  if (!fields) return 0;
  const ticks = Number(fields[11]) + Number(fields[12]) + (reapedChildren ? Number(fields[13]) + Number(fields[14]) : 0);
  return (ticks * 1000) / CLOCK_TICKS;
}

function threadCpuMs(pid: number): { mainMs: number; otherThreadsMs: number } {
  let mainMs = 0;
  let otherThreadsMs = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    const ms = cpuMsOf(statFields(`/proc/${pid}/task/${tid}/stat`));
    if (Number(tid) === pid) mainMs = ms;
    else otherThreadsMs += ms;
  }
  return { mainMs, otherThreadsMs };
}

/**
 * CPU ms spent so far by the processes of this machine named `name` (e.g. a local PostgreSQL's
 * backends), with their children that exited (a backend whose connection closed counts in its
 * postmaster's); 0 when there are none (a database elsewhere).
 */
export function namedProcessesCpuMs(name: string): number {
  let ms = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) ms += cpuMsOf(statFields(`/proc/${entry}/stat`), true);
    } catch {
      // gone meanwhile
    }
  }
  return ms;
}

/**
 * The reference programs run as plain JavaScript, as the server does (no tsx in their memory or
 * start-up): each is transpiled into dist/bench/, where node_modules still resolves.
 */
export function compileScript(name: string): string {
  const source = fs.readFileSync(path.join(ROOT, 'scripts/bench', `${name}.ts`), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const out = path.join(ROOT, 'dist/bench', `${name}.mjs`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, outputText);
  return out;
}

/**
 * This machine's CPU time so far, in clock ticks: all of it, the part no process used (idle and
 * waiting for I/O), and the part the hypervisor gave to other guests (steal); undefined where
 * /proc/stat has no steal column.
 */
export function machineCpuTicks(): { total: number; idle: number; steal: number } | undefined {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    if (fields.length < 8) return undefined;
    // user nice system idle iowait irq softirq steal [guest guest_nice, already inside user and nice]
    return { total: fields.slice(0, 8).reduce((sum, ticks) => sum + ticks, 0), idle: fields[3] + fields[4], steal: fields[7] };
  } catch {
    return undefined;
  }
}

/**
 * Waits, up to `maxSeconds`, for a second in which processes used less than `busyShare` of this
 * machine's CPU (a build or a test run just before the bench would lower every figure it takes).
 * Answers the seconds waited and the share used in the last second; undefined without /proc/stat.
 */
export async function waitForQuietMachine(busyShare: number, maxSeconds: number): Promise<{ waitedSeconds: number; busy: number } | undefined> {
  for (let waited = 0; ; waited++) {
    const before = machineCpuTicks();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = machineCpuTicks();
    if (!before || !after || after.total <= before.total) return undefined;
    const busy = 1 - (after.idle - before.idle) / (after.total - before.total);
    if (busy < busyShare || waited + 1 >= maxSeconds) return { waitedSeconds: waited + 1, busy };
  }
}
