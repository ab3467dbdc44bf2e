/**
 * What one RS256 session token costs to sign with jose and a 2048-bit key, as the server signs
 * one per sign-in: CPU ms per token (all of this process's threads: jose signs through WebCrypto,
 * on libuv's pool), over `count` tokens, `concurrency` at a time.
 */
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';

export async function rs256SignCpuMs(count = 400, concurrency = 4): Promise<number> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const sign = () =>
    new SignJWT({ uid: 'ID0123456789', email: 'bench@example.com', role: 'member', level: 1, state: 'active' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'bench' })
      .setIssuedAt()
      .setExpirationTime('4h')
      .setIssuer('barong')
      .setAudience('peatio')
      .setJti('0123456789abcdef01234567')
      .sign(privateKey);
  const batches = async (tokens: number) => {
    for (let done = 0; done < tokens; done += concurrency) await Promise.all(Array.from({ length: concurrency }, sign));
  };
  await batches(40); // the key's CryptoKey and the JIT, as on a running server
  const start = process.cpuUsage();
  await batches(count);
  const cpu = process.cpuUsage(start);
  return (cpu.user + cpu.system) / 1000 / count;
}
