/**
 * The reference for `make bench`: the same work as our two measured operations, written by hand
 * with nothing but fastify, jose, Kysely over pg and @node-rs/argon2 — no contract, validation,
 * rate limits, lockout, logging or error catalog. It reads the server's own signing key and
 * database, so both answer the same requests for the same account.
 *   GET  /me     jose RS256 verify (issuer, audience) + one lookup of the account by uid
 *   POST /login  account lookup by email + argon2id verify + RS256 sign
 * Env: PORT, DATABASE_URL, KEY_FILE (PEM private key).
 */
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { verify } from '@node-rs/argon2';
import Fastify from 'fastify';
import { SignJWT, jwtVerify } from 'jose';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

interface Accounts {
  accounts: {
    uid: string;
    email: string;
    password_digest: string;
    role: string;
    level: number;
    state: string;
    otp_enabled: boolean;
  };
}

const privateKey = createPrivateKey(fs.readFileSync(process.env.KEY_FILE!, 'utf8'));
const publicKey = createPublicKey(privateKey);
const db = new Kysely<Accounts>({
  dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 }) }),
});
const app = Fastify();

app.get('/me', async (request, reply) => {
  const token = request.headers.authorization?.replace(/^Bearer /, '') ?? '';
  let uid: string;
  try {
    const { payload } = await jwtVerify(token, publicKey, { algorithms: ['RS256'], issuer: 'barong', audience: 'barong' });
    uid = payload.uid as string;
  } catch {
    return reply.code(401).send({ error: 'invalid token' });
  }
  const account = await db
    .selectFrom('accounts')
    .select(['uid', 'email', 'role', 'level', 'state', 'otp_enabled'])
    .where('uid', '=', uid)
    .executeTakeFirst();
  if (!account) return reply.code(404).send({ error: 'no account' });
  return account;
});

app.post('/login', async (request, reply) => {
  const { email, password } = request.body as { email: string; password: string };
  const account = await db.selectFrom('accounts').selectAll().where('email', '=', email).executeTakeFirst();
  if (!account || !(await verify(account.password_digest, password))) {
    return reply.code(401).send({ error: 'Invalid Email or password.' });
  }
  const { uid, role, level, state } = account;
  const jwt = await new SignJWT({ uid, email, role, level, state })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime('4h')
    .setSubject('session')
    .setIssuer('barong')
    .setAudience(['peatio', 'barong'])
    .setJti(randomBytes(12).toString('hex'))
    .sign(privateKey);
  return reply.code(201).type('application/json').send(JSON.stringify(jwt));
});

app.get('/ready', async () => ({ ready: true }));

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
