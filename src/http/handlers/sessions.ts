import type { FastifyReply } from 'fastify';
import type { Deps } from '../../domain/deps.js';
import { renewSession, signIn } from '../../domain/sessions/sessions.js';
import type { Handlers } from '../api-types.js';
import { currentAccount, currentSession } from '../security.js';

export function sessionHandlers(deps: Deps) {
  return {
    async postV1Sessions(request, reply) {
      return signIn(deps, request.body, request.ip, clientGone(reply));
    },
    async postV1SecurityRenew(request) {
      return renewSession(deps, currentAccount(request), currentSession(request), request.body?.expires_in);
    },
  } satisfies Partial<Handlers>;
}

/** Aborts when the client's connection closes before its answer was sent (it stopped waiting). */
function clientGone(reply: FastifyReply): AbortSignal {
  const gone = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) gone.abort();
  });
  return gone.signal;
}
