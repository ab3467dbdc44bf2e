/**
 * The operators' audit trail. Every operator action calls `recordAudit` inside the transaction
 * that makes the change, so the record and the change are committed together or not at all.
 * Callers outside this module (the admin API, the Management API, scripts) only need an `Actor`.
 */
import { insertAuditRecord, listAuditRecords } from '../../db/queries/audit-records.js';
import type { AuditRecordRow, Executor } from '../../db/schema.js';
import type { Deps } from '../deps.js';

/** The actor name recorded for calls made with the local operator token. */
export const OPERATOR_TOKEN_ACTOR = 'operator token';

/** Who acted, and from where: `name` is an account uid, "operator token" or another named actor. */
export interface Actor {
  name: string;
  requestId?: string;
  sourceIp?: string;
}

export type AuditAction =
  | 'review.approve'
  | 'review.reject'
  | 'label.set'
  | 'label.delete'
  | 'role.change'
  | 'otp.disable'
  | 'application.create'
  | (string & {});

export interface AuditEntry {
  action: AuditAction;
  /** The uid of the account acted on, if any. */
  targetUid?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

export function recordAudit(trx: Executor, actor: Actor, entry: AuditEntry): Promise<AuditRecordRow> {
  return insertAuditRecord(trx, {
    actor: actor.name,
    action: entry.action,
    target_uid: entry.targetUid ?? null,
    before: entry.before == null ? null : JSON.stringify(entry.before),
    after: entry.after == null ? null : JSON.stringify(entry.after),
    request_id: actor.requestId ?? null,
    source_ip: actor.sourceIp ?? null,
  });
}

export function listAudit(
  deps: Deps,
  filter: { account_uid?: string; actor?: string; action?: string; limit?: number; offset?: number },
): Promise<AuditRecordRow[]> {
  return listAuditRecords(deps.db, {
    targetUid: filter.account_uid,
    actor: filter.actor,
    action: filter.action,
    limit: filter.limit ?? 100,
    offset: filter.offset ?? 0,
  });
}
