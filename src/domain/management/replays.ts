/** A Management API JWT is accepted once: its jti is recorded until its exp. */
import { claimManagementJti, deleteExpiredManagementJtis } from '../../db/queries/management-jtis.js';
import type { Deps } from '../deps.js';

/** True the first time this jti is seen before its exp; false for a replay. */
export async function acceptManagementJti(deps: Deps, jti: string, exp: number): Promise<boolean> {
  await deleteExpiredManagementJtis(deps.db, new Date());
  return claimManagementJti(deps.db, jti, new Date(exp * 1000));
}
