/**
 * Operator changes of PRIVATE labels: each recomputes the level and records the audit entry in the
 * same transaction, and records `model.account.updated` when the level changed. Setting `document` to `verified` or
 * `rejected` (when the value changes; setting it again does nothing more) writes the mail "Your
 * identity was approved" / "Your identity was rejected" and the event `system.document.verified`
 * / `system.document.rejected` to the outbox, in the same transaction.
 */
import { identityApprovedMail, identityRejectedMail } from '../../adapters/mail/templates.js';
import { lockAccountById } from '../../db/queries/accounts.js';
import { findLabel } from '../../db/queries/labels.js';
import type { AccountRow, Executor, LabelRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { recordAudit } from '../audit/audit.js';
import type { Deps } from '../deps.js';
import { recordAccountUpdated, recordDocumentReview } from '../events/model-events.js';
import { deletePrivateLabel, setPrivateLabel } from '../labels/levels.js';
import { labelKeyProblems, labelValueProblems, normalizeLabelText } from '../labels/rules.js';
import { enqueueMail } from '../outbox/outbox.js';
import { accountByUid, type Operator } from './accounts.js';

function reviewMail(key: string, value: string) {
  if (key !== 'document') return undefined;
  if (value === 'verified') return identityApprovedMail;
  if (value === 'rejected') return identityRejectedMail;
  return undefined;
}

/**
 * What a new value of a private label tells the account and the Event API; call in the
 * transaction that set it, with the value it replaced. Review decisions go through here too.
 */
export async function announceLabelChange(
  deps: Deps,
  trx: Executor,
  account: AccountRow,
  key: string,
  value: string,
  previous: string | undefined,
): Promise<void> {
  if (previous === value || key !== 'document') return;
  const mail = reviewMail(key, value);
  if (mail) await enqueueMail(deps, trx, mail(deps.config, account.email));
  await recordDocumentReview(deps, trx, account, value);
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
  operator: Operator,
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

  return deps.db.transaction().execute(async (trx) => {
    // Locked first, so `previous` is the value this change replaces.
    const before = (await lockAccountById(trx, account.id)) ?? account;
    const previous = await findLabel(trx, account.id, key, 'private');
    if (change === 'create' && previous) throw new AppError('INVALID_LABEL', 'Key has already been taken');
    if (change === 'update' && !previous) throw new AppError('NOT_FOUND');
    const label = await setPrivateLabel(trx, account.id, key, value);
    const after = (await lockAccountById(trx, account.id))!;
    await recordAudit(trx, operator.actor, {
      action: 'label.set',
      targetUid: uid,
      before: { key, value: previous?.value ?? null, level: before.level },
      after: { key, value, level: after.level },
    });
    await recordAccountUpdated(deps, trx, before);
    await announceLabelChange(deps, trx, before, key, value, previous?.value);
    return label;
  });
}

export async function deleteAccountLabel(deps: Deps, operator: Operator, uid: string, rawKey: string): Promise<void> {
  const account = await accountByUid(deps, uid);
  const key = normalizeLabelText(rawKey);
  await deps.db.transaction().execute(async (trx) => {
    const before = (await lockAccountById(trx, account.id)) ?? account;
    const deleted = await deletePrivateLabel(trx, account.id, key);
    if (!deleted) throw new AppError('NOT_FOUND');
    const after = (await lockAccountById(trx, account.id))!;
    await recordAudit(trx, operator.actor, {
      action: 'label.delete',
      targetUid: uid,
      before: { key, value: deleted.value, level: before.level },
      after: { key, value: null, level: after.level },
    });
    await recordAccountUpdated(deps, trx, before);
  });
}
