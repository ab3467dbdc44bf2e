import type { ApplicationRow, Executor } from '../schema.js';

export function insertApplication(
  db: Executor,
  row: { uid: string; name: string; redirect_uri?: string | null },
): Promise<ApplicationRow> {
  return db.insertInto('applications').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findApplicationByUid(db: Executor, uid: string): Promise<ApplicationRow | undefined> {
  return db.selectFrom('applications').selectAll().where('uid', '=', uid).executeTakeFirst();
}

export function listApplications(db: Executor): Promise<ApplicationRow[]> {
  return db.selectFrom('applications').selectAll().orderBy('id').execute();
}

export function countApplications(db: Executor): Promise<number> {
  return db
    .selectFrom('applications')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.count));
}
