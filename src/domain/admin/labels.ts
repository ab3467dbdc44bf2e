/**
 * Operator changes of PRIVATE labels: each recomputes the level and records the audit entry in the
 * same transaction. Setting `document` to `verified` or `rejected` mails the account "Your identity
 * was approved" / "Your identity was rejected" after the commit, when the value changes (setting it
 * again mails nothing).
 */
import { identityApprovedMail, identityRejectedMail } from '../../adapters/mail/templates.js';
import { lockAccountById } from '../../db/queries/accounts.js';
import { findLabel } from '../../db/queries/labels.js';
import type { LabelRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { recordAudit } from '../audit/audit.js';
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

export async function setAccountLabel(deps: Deps, operator: Operator, uid: string, rawKey: string, rawValue: string): Promise<LabelRow> {
  const account = await accountByUid(deps, uid);
  const key = normalizeLabelText(rawKey);
  const value = normalizeLabelText(rawValue);
  const problems = [...labelKeyProblems(key), ...labelValueProblems(value)];
  if (problems.length > 0) throw new AppError('INVALID_LABEL', problems.join(', '));

  const { label, previous } = await deps.db.transaction().execute(async (trx) => {
    const before = (await lockAccountById(trx, account.id))!; // so `previous` is the value this change replaces
    const previousLabel = await findLabel(trx, account.id, key, 'private');
    const label = await setPrivateLabel(trx, account.id, key, value);
    const after = (await lockAccountById(trx, account.id))!;
    await recordAudit(trx, operator.actor, {
      action: 'label.set',
      targetUid: uid,
      before: { key, value: previousLabel?.value ?? null, level: before.level },
      after: { key, value, level: after.level },
    });
    return { label, previous: previousLabel?.value };
  });

  const mail = previous === value ? undefined : reviewMail(key, value);
  if (mail) deps.background.run('identity review mail', () => deps.mailer.send(mail(deps.config, account.email)));
  return label;
}

export async function deleteAccountLabel(deps: Deps, operator: Operator, uid: string, rawKey: string): Promise<void> {
  const account = await accountByUid(deps, uid);
  const key = normalizeLabelText(rawKey);
  await deps.db.transaction().execute(async (trx) => {
    const before = (await lockAccountById(trx, account.id))!;
    const deleted = await deletePrivateLabel(trx, account.id, key);
    if (!deleted) throw new AppError('NOT_FOUND');
    const after = (await lockAccountById(trx, account.id))!;
    await recordAudit(trx, operator.actor, {
      action: 'label.delete',
      targetUid: uid,
      before: { key, value: deleted.value, level: before.level },
      after: { key, value: null, level: after.level },
    });
  });
}
