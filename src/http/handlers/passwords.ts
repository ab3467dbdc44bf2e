import { requestPasswordReset, resetPassword } from '../../domain/accounts/passwords.js';
import type { Deps } from '../../domain/deps.js';
import type { Handlers } from '../api-types.js';

export function passwordResetHandlers(deps: Deps) {
  return {
    async postV1SecurityResetPassword(request) {
      await requestPasswordReset(deps, request.body.email, request.ip);
      return null;
    },
    async putV1SecurityResetPassword(request) {
      await resetPassword(deps, request.body, request.ip);
      return null;
    },
  } satisfies Partial<Handlers>;
}
