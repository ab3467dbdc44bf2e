import { changePassword } from '../../domain/accounts/passwords.js';
import { confirmEmail, registerAccount, resendConfirmation } from '../../domain/accounts/registration.js';
import type { Deps } from '../../domain/deps.js';
import type { Handlers } from '../api-types.js';
import { presentAccount } from '../presenters.js';
import { currentAccount } from '../security.js';

export function accountHandlers(deps: Deps) {
  return {
    async postV1Accounts(request) {
      await registerAccount(deps, request.body, request.ip);
      return null;
    },
    async postV1AccountsConfirm(request) {
      await confirmEmail(deps, request.body.confirmation_token, request.ip);
      return null;
    },
    async postV1AccountsSendConfirmationInstructions(request) {
      await resendConfirmation(deps, request.body.email, request.ip);
      return null;
    },
    async putV1AccountsPassword(request) {
      await changePassword(deps, currentAccount(request), request.body);
      return null;
    },
    async getV1AccountsMe(request) {
      return presentAccount(currentAccount(request));
    },
  } satisfies Partial<Handlers>;
}
