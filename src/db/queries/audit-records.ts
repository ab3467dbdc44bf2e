import type { AuditRecordRow, Executor, NewAuditRecordRow } from '../schema.js';

export function insertAuditRecord(db: Executor, row: NewAuditRecordRow): Promise<AuditRecordRow> {
  return db.insertInto('audit_records').values(row).returningAll().executeTakeFirstOrThrow();
}

export interface AuditFilter {
  targetUid?: string;
  actor?: string;
  action?: string;
  limit: number;
  offset: number;
}

/** Newest first; each filter is an exact match. */
export function listAuditRecords(db: Executor, filter: AuditFilter): Promise<AuditRecordRow[]> {
  let query = db.selectFrom('audit_records').selectAll();
  if (filter.targetUid !== undefined) query = query.where('target_uid', '=', filter.targetUid);
  if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  return query.orderBy('id', 'desc').limit(filter.limit).offset(filter.offset).execute();
}
