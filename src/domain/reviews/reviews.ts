/**
 * KYC review by operators: the queue of accounts whose private `document` label is `pending`, the
 * documents' files, and the decision. A decision sets the label (`verified` or `rejected`),
 * recomputes the level and records the audit entry in one transaction, then mails the user; a
 * decided review is decided again only on an explicit re-review, so two reviewers working the same
 * queue cannot silently overturn each other.
 */
import type { Readable } from 'node:stream';
import { identityApprovedMail, identityRejectedMail } from '../../adapters/mail/templates.js';
import { lockAccountById } from '../../db/queries/accounts.js';
import { findDocumentOfAccount, listDocumentsByAccountId } from '../../db/queries/documents.js';
import { findLabel } from '../../db/queries/labels.js';
import { listPhonesByAccountId } from '../../db/queries/phones.js';
import { findProfileByAccountId } from '../../db/queries/profiles.js';
import { countPendingReviews, listPendingReviews } from '../../db/queries/reviews.js';
import type { AccountRow, DocumentRow, PhoneRow, ProfileRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { accountByUid, accountDetails, type AccountDetails, type Operator } from '../admin/accounts.js';
import { recordAudit } from '../audit/audit.js';
import type { Deps } from '../deps.js';
import { recordAccountUpdated, recordDocumentReview } from '../events/model-events.js';
import { setPrivateLabel } from '../labels/levels.js';
import { enqueueMail } from '../outbox/outbox.js';

export const REASON_MAX = 1000;

export interface PendingReview {
  account: AccountRow;
  submitted_at: Date;
  profile: ProfileRow | undefined;
  phones: PhoneRow[];
  documents: DocumentRow[];
}

export async function reviewQueue(
  deps: Deps,
  page: { limit?: number; offset?: number },
): Promise<{ total: number; reviews: PendingReview[] }> {
  const rows = await listPendingReviews(deps.db, { limit: page.limit ?? 20, offset: page.offset ?? 0 });
  const reviews: PendingReview[] = [];
  for (const { submitted_at, ...account } of rows) {
    reviews.push({
      account,
      submitted_at,
      profile: await findProfileByAccountId(deps.db, account.id),
      phones: await listPhonesByAccountId(deps.db, account.id),
      documents: await listDocumentsByAccountId(deps.db, account.id),
    });
  }
  return { total: await countPendingReviews(deps.db), reviews };
}

/** The stored file of one of the account's documents, for a reviewer. */
export async function openReviewDocument(
  deps: Deps,
  uid: string,
  id: number,
): Promise<{ document: DocumentRow; content: Readable }> {
  const account = await accountByUid(deps, uid);
  if (!Number.isSafeInteger(id) || id < 1) throw new AppError('NOT_FOUND');
  const document = await findDocumentOfAccount(deps.db, account.id, String(id));
  if (!document) throw new AppError('NOT_FOUND');
  return { document, content: await deps.storage.read(document.upload) };
}

export interface ReviewDecision {
  decision: 'approve' | 'reject';
  reason?: string;
  re_review?: boolean;
}

export async function decideReview(deps: Deps, operator: Operator, uid: string, input: ReviewDecision): Promise<AccountDetails> {
  const account = await accountByUid(deps, uid);
  const reason = input.reason?.trim() || undefined;
  if (input.decision === 'reject' && !reason) throw new AppError('INVALID_REVIEW', "Reason can't be blank");
  if (reason && [...reason].length > REASON_MAX) {
    throw new AppError('INVALID_REVIEW', `Reason is too long (maximum is ${REASON_MAX} characters)`);
  }
  const value = input.decision === 'approve' ? 'verified' : 'rejected';

  await deps.db.transaction().execute(async (trx) => {
    const before = await lockAccountById(trx, account.id);
    if (!before) throw new AppError('NOT_FOUND');
    if ((await listDocumentsByAccountId(trx, account.id)).length === 0) {
      throw new AppError('INVALID_REVIEW', 'Account has no documents to review');
    }
    const current = (await findLabel(trx, account.id, 'document', 'private'))?.value;
    if ((current === 'verified' || current === 'rejected') && !input.re_review) throw new AppError('REVIEW_ALREADY_DECIDED');
    await setPrivateLabel(trx, account.id, 'document', value);
    const after = (await lockAccountById(trx, account.id))!;
    await recordAudit(trx, operator.actor, {
      action: input.decision === 'approve' ? 'review.approve' : 'review.reject',
      targetUid: uid,
      before: { document: current ?? null, level: before.level },
      after: { document: value, level: after.level, ...(reason ? { reason } : {}), ...(input.re_review ? { re_review: true } : {}) },
    });
    const mail =
      value === 'verified' ? identityApprovedMail(deps.config, account.email) : identityRejectedMail(deps.config, account.email, reason);
    await enqueueMail(deps, trx, mail);
    await recordDocumentReview(deps, trx, before, value);
    await recordAccountUpdated(deps, trx, before);
  });

  return accountDetails(deps, uid);
}
