/** Admin operations on accounts; the glue has already checked the caller (operator token or admin). */
import type { FastifyRequest } from 'fastify';
import { accountDetails, changeRole, disableAccountTwoFactor, listAccounts, type Operator } from '../../domain/admin/accounts.js';
import { deleteAccountLabel, setAccountLabel } from '../../domain/admin/labels.js';
import type { Deps } from '../../domain/deps.js';
import type { Handlers } from '../api-types.js';
import { presentAdminAccount, presentAdminAccountDetails, presentLabel } from '../presenters.js';
import { currentAccount } from '../security.js';

function currentOperator(request: FastifyRequest): Operator {
  return request.operator ? { kind: 'operator-token' } : { kind: 'account', account: currentAccount(request) };
}

export function adminHandlers(deps: Deps) {
  return {
    async getV1AdminAccounts(request) {
      return (await listAccounts(deps, request.query)).map(presentAdminAccount);
    },
    async getV1AdminAccountsUid(request) {
      return presentAdminAccountDetails(await accountDetails(deps, request.params.uid));
    },
    async putV1AdminAccountsUidRole(request) {
      return presentAdminAccount(await changeRole(deps, currentOperator(request), request.params.uid, request.body.role));
    },
    async deleteV1AdminAccountsUidOtp(request) {
      return presentAdminAccount(await disableAccountTwoFactor(deps, request.params.uid));
    },
    async putV1AdminAccountsUidLabelsKey(request) {
      return presentLabel(await setAccountLabel(deps, currentOperator(request), request.params.uid, request.params.key, request.body.value));
    },
    async deleteV1AdminAccountsUidLabelsKey(request, reply) {
      await deleteAccountLabel(deps, currentOperator(request), request.params.uid, request.params.key);
      return reply.code(204).send();
    },
  } satisfies Partial<Handlers>;
}
