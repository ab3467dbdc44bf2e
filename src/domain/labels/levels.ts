/**
 * Barong's dynamic levels: the account level is the id of the last level in the levels table,
 * walked in id order, whose `key:value` the account has as a PRIVATE label; the walk stops at the
 * first missing one. Recomputed in the same transaction as every private-label change.
 */
import { updateAccount } from '../../db/queries/accounts.js';
import { listPrivateLabelsByAccountId, upsertLabel } from '../../db/queries/labels.js';
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

/** Sets a private label and the level that follows from it; call inside a transaction. */
export async function setPrivateLabel(trx: Executor, accountId: string, key: string, value: string): Promise<LabelRow> {
  const label = await upsertLabel(trx, { account_id: accountId, key, value, scope: 'private' });
  await recomputeLevel(trx, accountId);
  return label;
}
