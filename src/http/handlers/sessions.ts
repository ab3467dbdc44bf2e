import type { Deps } from '../../domain/deps.js';
import { renewSession, signIn } from '../../domain/sessions/sessions.js';
import type { Handlers } from '../api-types.js';
import { currentAccount, currentSession } from '../security.js';

export function sessionHandlers(deps: Deps) {
  return {
    async postV1Sessions(request) {
      return signIn(deps, request.body, request.ip);
    },
    async postV1SecurityRenew(request) {
      return renewSession(deps, currentAccount(request), currentSession(request), request.body?.expires_in);
    },
  } satisfies Partial<Handlers>;
}
