/**
 * The drain before a stop (README "Operating in production"): from `startDraining` on,
 * /health/ready answers 503 so load balancers stop sending, the listener keeps serving, and every
 * response says `Connection: close`, so keep-alive clients reconnect (to another node) after their
 * current request instead of finding the socket gone.
 */
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    /** Shared by the root and every encapsulated scope (an object, so scopes see the change). */
    lifecycle: { draining: boolean };
  }
}

export function registerDrain(app: FastifyInstance): void {
  app.decorate('lifecycle', { draining: false });
  app.addHook('onSend', async (request, reply) => {
    if (request.server.lifecycle.draining) reply.header('connection', 'close');
  });
}

export function startDraining(app: FastifyInstance): void {
  app.lifecycle.draining = true;
}
