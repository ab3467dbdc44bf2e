/**
 * What one session token costs to sign, as a sign-in signs it (issueSessionToken, through the
 * server's own JWT service: jose, RS256, a 2048-bit key): CPU ms per token (all of this process's
 * threads: jose signs through WebCrypto, on libuv's pool), over `count` tokens, `concurrency` at a time.
 */
import { loadConfig } from '../../src/config.js';
import { createJwtService, generateRsaPem } from '../../src/crypto/jwt.js';
import { issueSessionToken } from '../../src/domain/sessions/sessions.js';

export async function rs256SignCpuMs(count = 400, concurrency = 4): Promise<number> {
  const config = loadConfig({ JWT_PRIVATE_KEY: await generateRsaPem() });
  const deps = { jwt: await createJwtService(config, console) };
  const account = { uid: 'ID0123456789', email: 'bench@example.com', role: 'member', level: 1, state: 'active', session_generation: 0 };
  const sign = () => issueSessionToken(deps, account, config.jwt.lifetimeSeconds, Math.floor(Date.now() / 1000));
  const batches = async (tokens: number) => {
    for (let done = 0; done < tokens; done += concurrency) await Promise.all(Array.from({ length: concurrency }, sign));
  };
  await batches(40); // the key's CryptoKey and the JIT, as on a running server
  const start = process.cpuUsage();
  await batches(count);
  const cpu = process.cpuUsage(start);
  return (cpu.user + cpu.system) / 1000 / count;
}
