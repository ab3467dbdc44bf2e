import { sql } from 'kysely';
import type { Deps } from '../../domain/deps.js';
import { AppError } from '../../errors.js';
import type { Handlers } from '../api-types.js';
import { DATABASE_RETRY_AFTER_SECONDS } from '../error-handler.js';

export function healthHandlers(deps: Deps) {
  return {
    async getV1HealthAlive() {
      return { status: 'ok' };
    },
    async getV1HealthReady(request) {
      // Draining before a stop: load balancers must take this node out while it still serves.
      if (request.server.lifecycle.draining) throw new AppError('SHUTTING_DOWN', undefined, { retryAfter: 1 });
      try {
        await sql`select 1`.execute(deps.db);
      } catch (error) {
        deps.log.error({ err: error }, 'readiness check: database unreachable');
        throw new AppError('DATABASE_UNAVAILABLE', undefined, { retryAfter: DATABASE_RETRY_AFTER_SECONDS });
      }
      return { status: 'ok' };
    },
    async getWellKnownJwks(_request, reply) {
      reply.header('cache-control', 'public, max-age=300');
      return deps.jwt.jwks();
    },
  } satisfies Partial<Handlers>;
}
