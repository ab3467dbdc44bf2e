/**
 * Barong's dynamic levels: the account level is the id of the last level in the levels table,
 * walked in id order, whose `key:value` the account has as a PRIVATE label; the walk stops at the
 * first missing one. Recomputed in the same transaction as every private-label change.
 */
import { lockAccountById, updateAccount } from '../../db/queries/accounts.js';
import { deleteLabel, listPrivateLabelsByAccountId, upsertLabel } from '../../db/queries/labels.js';
import { listLevels } from '../../db/queries/levels.js';
import type { Executor, LabelRow } from '../../db/schema.js';

export function levelFor(
  levels: ReadonlyArray<{ id: number; key: string; value: string }>,
  labels: ReadonlyArray<{ key: string; value: string; scope: string }>,
): number {
  const owned = new Set(labels.filter((l) => l.scope === 'private').map((l) => `${l.key}:${l.value}`));
  let level = 0;
  for (const candidate of [...levels].sort((a, b) => a.id - b.id)) {
    if (!owned.has(`${candidate.key}:${candidate.value}`)) break;
    level = candidate.id;
  }
  return level;
}

export async function recomputeLevel(trx: Executor, accountId: string): Promise<number> {
  const [levels, labels] = [await listLevels(trx), await listPrivateLabelsByAccountId(trx, accountId)];
  const level = levelFor(levels, labels);
  await updateAccount(trx, accountId, { level });
  return level;
}

/**
 * Private-label changes of one account take the account's row lock first, so they run one after
 * the other and each recomputation reads every label committed before it (two parallel changes
 * cannot leave a level that misses one of them).
 */
async function serialiseLabelChanges(trx: Executor, accountId: string): Promise<void> {
  await lockAccountById(trx, accountId);
}

/** Sets a private label and the level that follows from it; call inside a transaction. */
export async function setPrivateLabel(trx: Executor, accountId: string, key: string, value: string): Promise<LabelRow> {
  await serialiseLabelChanges(trx, accountId);
  const label = await upsertLabel(trx, { account_id: accountId, key, value, scope: 'private' });
  await recomputeLevel(trx, accountId);
  return label;
}

/**
 * Deletes a private label and recomputes the level; call inside a transaction. Returns the deleted
 * label, or undefined when the account had no private label with that key (level untouched).
 */
export async function deletePrivateLabel(trx: Executor, accountId: string, key: string): Promise<LabelRow | undefined> {
  await serialiseLabelChanges(trx, accountId);
  const label = await deleteLabel(trx, accountId, key, 'private');
  if (label) await recomputeLevel(trx, accountId);
  return label;
}
