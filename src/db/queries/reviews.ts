/** The KYC review queue: accounts whose private `document` label is `pending`. */
import type { AccountRow, Executor } from '../schema.js';

const pending = (db: Executor) =>
  db
    .selectFrom('accounts')
    .innerJoin('labels', 'labels.account_id', 'accounts.id')
    .where('labels.key', '=', 'document')
    .where('labels.scope', '=', 'private')
    .where('labels.value', '=', 'pending');

/** Oldest submission first (the label's last change is the last upload). */
export function listPendingReviews(
  db: Executor,
  page: { limit: number; offset: number },
): Promise<Array<AccountRow & { submitted_at: Date }>> {
  return pending(db)
    .selectAll('accounts')
    .select('labels.updated_at as submitted_at')
    .orderBy('labels.updated_at')
    .orderBy('accounts.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

export async function countPendingReviews(db: Executor): Promise<number> {
  const row = await pending(db).select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow();
  return Number(row.count);
}
