/**
 * The hashing ceiling for `make bench`: argon2id verifications alone, CONCURRENCY at a time, for
 * SECONDS, of DIGEST (the bench account's stored digest, so the parameters are the server's).
 * Prints one JSON line: { opsPerSecond }.
 */
import { verify } from '@node-rs/argon2';

const digest = process.env.DIGEST!;
const password = process.env.PASSWORD!;
const concurrency = Number(process.env.CONCURRENCY);
const end = Date.now() + Number(process.env.SECONDS) * 1000;
const started = Date.now();
let done = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (Date.now() < end) {
      if (!(await verify(digest, password))) throw new Error('the digest does not match the password');
      done++;
    }
  }),
);
console.log(JSON.stringify({ opsPerSecond: (done * 1000) / (Date.now() - started) }));
