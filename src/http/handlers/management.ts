/**
 * The Management API's actions. The scope's checks have verified the multi-signature JWT and
 * validated its `data` (now the request body) against the action's x-management-data schema;
 * the label actions run the admin API's domain functions, with the signers as the operator.
 */
import { accountDetails, listAccounts } from '../../domain/admin/accounts.js';
import { deleteAccountLabel, setAccountLabel } from '../../domain/admin/labels.js';
import type { Deps } from '../../domain/deps.js';
import { AppError } from '../../errors.js';
import type { Handlers, Schemas } from '../api-types.js';
import { managementOperator } from '../management-security.js';
import { presentAdminAccount, presentAdminAccountDetails, presentLabel } from '../presenters.js';

/** The verified JWT's `data`, validated against the action's schema. */
function data<T>(request: { body: unknown }): T {
  return request.body as T;
}

export function managementHandlers(deps: Deps) {
  return {
    async postManagementV1Labels(request) {
      const { account_uid, key, value } = data<Schemas['ManagementLabelData']>(request);
      return presentLabel(await setAccountLabel(deps, managementOperator(request), account_uid, key, value, 'create'));
    },
    async putManagementV1Labels(request) {
      const { account_uid, key, value } = data<Schemas['ManagementLabelData']>(request);
      return presentLabel(await setAccountLabel(deps, managementOperator(request), account_uid, key, value, 'update'));
    },
    async postManagementV1LabelsDelete(request, reply) {
      const { account_uid, key } = data<Schemas['ManagementLabelKeyData']>(request);
      await deleteAccountLabel(deps, managementOperator(request), account_uid, key);
      return reply.code(204).send();
    },
    async postManagementV1Timestamp() {
      return { timestamp: Math.floor(Date.now() / 1000) };
    },
    async postManagementV1UsersGet(request) {
      const { uid, email } = data<Schemas['ManagementUserGetData']>(request);
      if (uid !== undefined && email !== undefined) throw new AppError('MANAGEMENT_PARAMS_EXCLUSIVE');
      if (uid === undefined && email === undefined) throw new AppError('MANAGEMENT_PARAMS_MISSING');
      return presentAdminAccountDetails(await accountDetails(deps, uid ?? { email: email! }));
    },
    async postManagementV1UsersList(request) {
      const { page = 1, limit = 100 } = data<Schemas['ManagementUserListData']>(request);
      return (await listAccounts(deps, { limit, offset: (page - 1) * limit })).map(presentAdminAccount);
    },
  } satisfies Partial<Handlers>;
}
