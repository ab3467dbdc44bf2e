/** OAuth applications (clients). A session is always issued for one of them. */
import { randomBytes } from 'node:crypto';
import { isUniqueViolation } from '../db/database.js';
import {
  countApplications,
  findApplicationByUid,
  insertApplication,
  listApplications,
} from '../db/queries/applications.js';
import type { ApplicationRow, Db, Executor } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { Operator } from './admin/accounts.js';
import { recordAudit } from './audit/audit.js';

export function newApplicationUid(): string {
  return randomBytes(20).toString('hex');
}

export function createApplication(db: Executor, input: { name: string; redirect_uri?: string | null; uid?: string }) {
  if (input.redirect_uri && !isAbsoluteUri(input.redirect_uri)) throw new AppError('INVALID_REDIRECT_URI');
  return insertApplication(db, {
    uid: input.uid ?? newApplicationUid(),
    name: input.name,
    redirect_uri: input.redirect_uri ?? null,
  });
}

/** An operator creates an application (admin API); recorded in the audit trail. */
export function createApplicationByOperator(
  db: Db,
  operator: Operator,
  input: { name: string; redirect_uri?: string | null },
): Promise<ApplicationRow> {
  return db.transaction().execute(async (trx) => {
    const application = await createApplication(trx, input);
    await recordAudit(trx, operator.actor, {
      action: 'application.create',
      after: { uid: application.uid, name: application.name, redirect_uri: application.redirect_uri },
    });
    return application;
  });
}

/** An OAuth redirect URI must be absolute (scheme and all), without a fragment (RFC 6749 §3.1.2). */
function isAbsoluteUri(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol.length > 1 && url.hash === '' && !/\s/.test(value);
  } catch {
    return false;
  }
}

export { listApplications };

/**
 * Makes sure a new install can sign in at once: creates the application DEFAULT_APPLICATION_UID
 * names when it is missing, or, without that setting, a first application when there is none.
 * Returns the application it created.
 */
export async function ensureDefaultApplication(db: Db, uid?: string): Promise<ApplicationRow | undefined> {
  const missing = uid ? !(await findApplicationByUid(db, uid)) : (await countApplications(db)) === 0;
  if (!missing) return undefined;
  try {
    return await createApplication(db, { name: 'Default', uid });
  } catch (error) {
    if (isUniqueViolation(error)) return undefined; // another node created it first
    throw error;
  }
}
