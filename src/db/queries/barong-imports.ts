/**
 * Writes of the Barong importer that our own endpoints never make: rows with their original
 * timestamps, and the ledger of imported Barong records (barong_imports).
 */
import type { Insertable } from 'kysely';
import type {
  AccountRow,
  ApplicationTable,
  BarongImportTable,
  Executor,
  LabelTable,
  NewAccountRow,
  PhoneTable,
} from '../schema.js';

export async function isImported(db: Executor, kind: BarongImportTable['kind'], barongUid: string): Promise<boolean> {
  const row = await db
    .selectFrom('barong_imports')
    .select('target_id')
    .where('kind', '=', kind)
    .where('barong_uid', '=', barongUid)
    .executeTakeFirst();
  return row !== undefined;
}

export async function recordImported(db: Executor, kind: BarongImportTable['kind'], barongUid: string, targetId: string): Promise<void> {
  await db.insertInto('barong_imports').values({ kind, barong_uid: barongUid, target_id: targetId }).execute();
}

/** Undefined when the uid or the email is already taken (the caller reports which). */
export function insertImportedAccount(db: Executor, row: NewAccountRow): Promise<AccountRow | undefined> {
  return db
    .insertInto('accounts')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function insertImportedLabel(db: Executor, row: Insertable<LabelTable>): Promise<void> {
  await db.insertInto('labels').values(row).execute();
}

export async function insertImportedPhone(db: Executor, row: Insertable<PhoneTable>): Promise<void> {
  await db.insertInto('phones').values(row).execute();
}

export async function insertImportedApplication(db: Executor, row: Insertable<ApplicationTable>): Promise<string> {
  const inserted = await db.insertInto('applications').values(row).returning('id').executeTakeFirstOrThrow();
  return inserted.id;
}
