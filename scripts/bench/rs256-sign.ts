/**
 * What one session token costs to sign, through the server's own JWT service (src/crypto/jwt.ts:
 * jose, RS256, a 2048-bit key) with a sign-in's claims: CPU ms per token (all of this process's
 * threads: jose signs through WebCrypto, on libuv's pool), over `count` tokens, `concurrency` at a time.
 */
import { loadConfig } from '../../src/config.js';
import { createJwtService, generateRsaPem, SESSION_GENERATION_CLAIM } from '../../src/crypto/jwt.js';

export async function rs256SignCpuMs(count = 400, concurrency = 4): Promise<number> {
  const config = loadConfig({ JWT_PRIVATE_KEY: await generateRsaPem() });
  const jwt = await createJwtService(config, console);
  const subject = { uid: 'ID0123456789', email: 'bench@example.com', role: 'member', level: 1, state: 'active' };
  const sign = () =>
    jwt.sign(subject, {
      expiresIn: config.jwt.lifetimeSeconds,
      extraClaims: { auth_time: Math.floor(Date.now() / 1000), [SESSION_GENERATION_CLAIM]: 0 },
    });
  const batches = async (tokens: number) => {
    for (let done = 0; done < tokens; done += concurrency) await Promise.all(Array.from({ length: concurrency }, sign));
  };
  await batches(40); // the key's CryptoKey and the JIT, as on a running server
  const start = process.cpuUsage();
  await batches(count);
  const cpu = process.cpuUsage(start);
  return (cpu.user + cpu.system) / 1000 / count;
}
