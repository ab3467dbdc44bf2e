/** Operator views and changes of accounts (the admin API, used by the CLI). */
import { findAccountByEmail, findAccountByUid, listAccounts as listAccountRows, lockAccountById, updateAccountRevokingSessions } from '../../db/queries/accounts.js';
import { listDocumentsByAccountId } from '../../db/queries/documents.js';
import { listLabelsByAccountId } from '../../db/queries/labels.js';
import { listPhonesByAccountId } from '../../db/queries/phones.js';
import { findProfileByAccountId } from '../../db/queries/profiles.js';
import type { AccountRow, DocumentRow, LabelRow, PhoneRow, ProfileRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { normalizeEmail } from '../accounts/rules.js';
import { recordAudit, type Actor } from '../audit/audit.js';
import type { Deps } from '../deps.js';
import { disableTwoFactor } from '../two-factor/two-factor.js';

export type Role = 'admin' | 'compliance' | 'member';

/**
 * Who calls an admin operation: an operator account's session (admin or compliance), the operator
 * token, or a Management API request with the ids of the signers whose signatures verified; `actor`
 * is what the audit trail records for them.
 */
export type Operator = (
  | { kind: 'account'; account: AccountRow }
  | { kind: 'operator-token' }
  | { kind: 'management'; signers: readonly string[] }
) & { actor: Actor };

export interface AccountDetails {
  account: AccountRow;
  labels: LabelRow[];
  profile: ProfileRow | undefined;
  phones: PhoneRow[];
  documents: DocumentRow[];
}

export function listAccounts(deps: Deps, filter: { email?: string; limit?: number; offset?: number }): Promise<AccountRow[]> {
  return listAccountRows(deps.db, {
    email: filter.email === undefined ? undefined : normalizeEmail(filter.email),
    limit: filter.limit ?? 100,
    offset: filter.offset ?? 0,
  });
}

/** The account of this uid; 404 "Record is not found" when there is none. */
export async function accountByUid(deps: Deps, uid: string): Promise<AccountRow> {
  const account = await findAccountByUid(deps.db, uid);
  if (!account) throw new AppError('NOT_FOUND');
  return account;
}

/** The account of this email; 404 "Record is not found" when there is none. */
export async function accountByEmail(deps: Deps, email: string): Promise<AccountRow> {
  const account = await findAccountByEmail(deps.db, normalizeEmail(email));
  if (!account) throw new AppError('NOT_FOUND');
  return account;
}

/** The account (by uid, or by email) with its KYC data. */
export async function accountDetails(deps: Deps, by: string | { email: string }): Promise<AccountDetails> {
  const account = typeof by === 'string' ? await accountByUid(deps, by) : await accountByEmail(deps, by.email);
  const labels = await listLabelsByAccountId(deps.db, account.id);
  const profile = await findProfileByAccountId(deps.db, account.id);
  const phones = await listPhonesByAccountId(deps.db, account.id);
  const documents = await listDocumentsByAccountId(deps.db, account.id);
  return { account, labels, profile, phones, documents };
}

/**
 * Sets the role. An admin may not change the role of their own account (as in Barong's admin UI),
 * which also means a session can never demote the last admin; the operator token may do anything.
 * The role takes effect at once: bearer authentication reads it from the account, not the JWT; and
 * the account's sessions end, since resource servers read the role from the JWT.
 */
export async function changeRole(deps: Deps, operator: Operator, uid: string, role: Role): Promise<AccountRow> {
  const account = await accountByUid(deps, uid);
  if (operator.kind === 'account' && operator.account.id === account.id && account.role !== role) {
    throw new AppError('OWN_ROLE_CHANGE');
  }
  return deps.db.transaction().execute(async (trx) => {
    const current = await lockAccountById(trx, account.id);
    if (!current) throw new AppError('NOT_FOUND');
    if (current.role === role) return current;
    const updated = await updateAccountRevokingSessions(trx, account.id, { role });
    await recordAudit(trx, operator.actor, { action: 'role.change', targetUid: uid, before: { role: current.role }, after: { role } });
    return updated;
  });
}

/**
 * Turns the account's 2FA off and forgets its secret (a user who lost the device). An operator
 * account may not do it to itself: that would take the second factor off an operator's session.
 */
export async function disableAccountTwoFactor(deps: Deps, operator: Operator, uid: string): Promise<AccountRow> {
  const target = await accountByUid(deps, uid);
  if (operator.kind === 'account' && operator.account.id === target.id) throw new AppError('OWN_OTP_DISABLE');
  const account = await disableTwoFactor(deps, target.id, (trx, before, after) =>
    recordAudit(trx, operator.actor, {
      action: 'otp.disable',
      targetUid: uid,
      before: { otp_enabled: before.otp_enabled },
      after: { otp_enabled: after.otp_enabled },
    }),
  );
  if (!account) throw new AppError('NOT_FOUND');
  return account;
}
