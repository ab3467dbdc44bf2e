/** OAuth applications (clients). A session is always issued for one of them. */
import { randomBytes } from 'node:crypto';
import { isUniqueViolation } from '../db/database.js';
import {
  countApplications,
  findApplicationByUid,
  insertApplication,
  listApplications,
} from '../db/queries/applications.js';
import type { ApplicationRow, Db } from '../db/schema.js';

export function newApplicationUid(): string {
  return randomBytes(20).toString('hex');
}

export function createApplication(db: Db, input: { name: string; redirect_uri?: string | null; uid?: string }) {
  return insertApplication(db, {
    uid: input.uid ?? newApplicationUid(),
    name: input.name,
    redirect_uri: input.redirect_uri ?? null,
  });
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
