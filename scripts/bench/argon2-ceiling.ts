/**
 * The hashing ceiling for `make bench`: argon2id verifications alone, CONCURRENCY at a time, for
 * SECONDS after WARMUP_SECONDS (as the loads run), of DIGEST (the bench account's stored digest, so
 * the parameters are the server's). They run on libuv's pool: UV_THREADPOOL_SIZE threads (4 by default).
 * Prints one JSON line: { opsPerSecond, cpuMsPerVerify } (the process's CPU in the measured seconds
 * per verification).
 */
import { verify } from '@node-rs/argon2';

const digest = process.env.DIGEST!;
const password = process.env.PASSWORD!;
const concurrency = Number(process.env.CONCURRENCY);
const measuredFrom = performance.now() + Number(process.env.WARMUP_SECONDS ?? 0) * 1000;
const end = measuredFrom + Number(process.env.SECONDS) * 1000;
let done = 0;
let cpuAtStart: NodeJS.CpuUsage | undefined;
setTimeout(() => (cpuAtStart = process.cpuUsage()), measuredFrom - performance.now());
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      if (!(await verify(digest, password))) throw new Error('the digest does not match the password');
      if (performance.now() >= measuredFrom) done++;
    }
  }),
);
const cpu = process.cpuUsage(cpuAtStart);
console.log(JSON.stringify({ opsPerSecond: (done * 1000) / (performance.now() - measuredFrom), cpuMsPerVerify: (cpu.user + cpu.system) / 1000 / done }));
