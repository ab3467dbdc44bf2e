/**
 * The user's labels (/v1/labels): public labels are the user's own (create, update, delete);
 * private ones (email, phone, document, ...) are read-only here and never change through this API.
 *
 * A public and a private label may share a key. Lookups by key are deterministic: reading prefers
 * the public label and shows the private one only when no public exists; updating and deleting act
 * on the public label (the user's own) and answer "Can't update Label." only when the key names a
 * private label alone.
 */
import { isUniqueViolation } from '../../db/database.js';
import {
  deleteLabel,
  insertLabel,
  listLabelsByAccountId,
  listLabelsByKey,
  updateLabelValue,
} from '../../db/queries/labels.js';
import type { AccountRow, LabelRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../deps.js';
import { labelKeyProblems, labelValueProblems, normalizeLabelText } from './rules.js';

export function listLabels(deps: Deps, account: AccountRow): Promise<LabelRow[]> {
  return listLabelsByAccountId(deps.db, account.id);
}

async function labelsByKey(deps: Deps, account: AccountRow, rawKey: string) {
  const rows = await listLabelsByKey(deps.db, account.id, normalizeLabelText(rawKey));
  return { public: rows.find((l) => l.scope === 'public'), private: rows.find((l) => l.scope === 'private') };
}

export async function getLabel(deps: Deps, account: AccountRow, rawKey: string): Promise<LabelRow> {
  const found = await labelsByKey(deps, account, rawKey);
  const label = found.public ?? found.private;
  if (!label) throw new AppError('NOT_FOUND');
  return label;
}

/** The public label this key names for a change; 404 when none, 400 when only a private one. */
async function ownLabel(deps: Deps, account: AccountRow, rawKey: string): Promise<LabelRow> {
  const found = await labelsByKey(deps, account, rawKey);
  if (found.public) return found.public;
  if (found.private) throw new AppError('LABEL_READ_ONLY');
  throw new AppError('NOT_FOUND');
}

export async function createLabel(deps: Deps, account: AccountRow, input: { key: string; value: string }): Promise<LabelRow> {
  const key = normalizeLabelText(input.key);
  const value = normalizeLabelText(input.value);
  const problems = [...labelKeyProblems(key), ...labelValueProblems(value)];
  if (problems.length > 0) throw new AppError('INVALID_LABEL', problems.join(', '));
  try {
    return await insertLabel(deps.db, { account_id: account.id, key, value, scope: 'public' });
  } catch (error) {
    // The unique constraint also decides a race of parallel creates with one key.
    if (isUniqueViolation(error, 'labels_account_key_scope_key')) throw new AppError('INVALID_LABEL', 'Key has already been taken');
    throw error;
  }
}

export async function updateLabel(deps: Deps, account: AccountRow, rawKey: string, rawValue: string): Promise<LabelRow> {
  const label = await ownLabel(deps, account, rawKey);
  const value = normalizeLabelText(rawValue);
  const problems = labelValueProblems(value);
  if (problems.length > 0) throw new AppError('INVALID_LABEL', problems.join(', '));
  const updated = await updateLabelValue(deps.db, label.id, value);
  if (!updated) throw new AppError('NOT_FOUND'); // deleted meanwhile
  return updated;
}

export async function deleteOwnLabel(deps: Deps, account: AccountRow, rawKey: string): Promise<void> {
  const label = await ownLabel(deps, account, rawKey);
  if (!(await deleteLabel(deps.db, account.id, label.key, 'public'))) throw new AppError('NOT_FOUND');
}
