/**
 * Operator changes of PRIVATE labels: each recomputes the level in the same transaction. Setting
 * `document` to `verified` or `rejected` mails the account "Your identity was approved" / "Your
 * identity was rejected" after the commit, when the value changes (setting it again mails nothing).
 */
import { identityApprovedMail, identityRejectedMail } from '../../adapters/mail/templates.js';
import { lockAccountById } from '../../db/queries/accounts.js';
import { findLabel } from '../../db/queries/labels.js';
import type { LabelRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../deps.js';
import { deletePrivateLabel, setPrivateLabel } from '../labels/levels.js';
import { labelKeyProblems, labelValueProblems, normalizeLabelText } from '../labels/rules.js';
import { accountByUid, type Operator } from './accounts.js';

function reviewMail(key: string, value: string) {
  if (key !== 'document') return undefined;
  if (value === 'verified') return identityApprovedMail;
  if (value === 'rejected') return identityRejectedMail;
  return undefined;
}

/**
 * How a change treats an existing private label: `set` creates or updates it (the admin API),
 * `create` refuses an existing key and `update` a missing one (the Management API, as Barong's).
 */
export type LabelChange = 'set' | 'create' | 'update';

/**
 * Sets a private label of the account for `operator` (who made the change, for the audit trail).
 */
export async function setAccountLabel(
  deps: Deps,
  _operator: Operator,
  uid: string,
  rawKey: string,
  rawValue: string,
  change: LabelChange = 'set',
): Promise<LabelRow> {
  const account = await accountByUid(deps, uid);
  const key = normalizeLabelText(rawKey);
  const value = normalizeLabelText(rawValue);
  const problems = [...labelKeyProblems(key), ...labelValueProblems(value)];
  if (problems.length > 0) throw new AppError('INVALID_LABEL', problems.join(', '));

  const { label, previous } = await deps.db.transaction().execute(async (trx) => {
    await lockAccountById(trx, account.id); // so `previous` is the value this change replaces
    const before = await findLabel(trx, account.id, key, 'private');
    if (change === 'create' && before) throw new AppError('INVALID_LABEL', 'Key has already been taken');
    if (change === 'update' && !before) throw new AppError('NOT_FOUND');
    return { label: await setPrivateLabel(trx, account.id, key, value), previous: before?.value };
  });

  const mail = previous === value ? undefined : reviewMail(key, value);
  if (mail) deps.background.run('identity review mail', () => deps.mailer.send(mail(deps.config, account.email)));
  return label;
}

export async function deleteAccountLabel(deps: Deps, _operator: Operator, uid: string, rawKey: string): Promise<void> {
  const account = await accountByUid(deps, uid);
  const key = normalizeLabelText(rawKey);
  const deleted = await deps.db.transaction().execute((trx) => deletePrivateLabel(trx, account.id, key));
  if (!deleted) throw new AppError('NOT_FOUND');
}
