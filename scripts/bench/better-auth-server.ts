/**
 * A second reference for `make bench`: Better Auth (a widely used TypeScript auth framework) with
 * email and password on the same PostgreSQL, in a schema of its own (better_auth), as its docs set
 * it up: its Node handler, its migrations, no cookie cache. The bench signs up one user and
 * measures GET /api/auth/get-session with the session cookie against our GET /me.
 * Env: PORT, DATABASE_URL.
 */
import http from 'node:http';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import pg from 'pg';

const port = Number(process.env.PORT);
const setup = new pg.Client({ connectionString: process.env.DATABASE_URL });
await setup.connect();
await setup.query('create schema if not exists better_auth');
await setup.end();

const auth = betterAuth({
  database: new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10, options: '-c search_path=better_auth' }),
  baseURL: `http://127.0.0.1:${port}`,
  secret: 'bench-only-secret-bench-only-secret-0123456789',
  emailAndPassword: { enabled: true },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
});
const { runMigrations } = await getMigrations(auth.options);
await runMigrations();

const handler = toNodeHandler(auth);
http
  .createServer((request, response) => {
    if (request.url === '/ready') return void response.end('ok');
    void handler(request, response);
  })
  .listen(port, '127.0.0.1');
