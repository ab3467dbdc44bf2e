/**
 * Passwords imported from Barong keep their Devise bcrypt digest until the user next signs in
 * with it; that sign-in replaces it with argon2id (the password is only known at that moment).
 */
import { isLegacyDigest } from '../../crypto/password.js';
import { countPasswordDigests, replacePasswordDigest } from '../../db/queries/accounts.js';
import type { AccountRow, Executor } from '../../db/schema.js';
import type { Deps } from '../deps.js';

/** Call after `password` was verified against `account.password_digest`. */
export async function upgradeLegacyDigest(deps: Deps, account: AccountRow, password: string, db: Executor = deps.db): Promise<void> {
  if (!isLegacyDigest(account.password_digest)) return;
  const digest = await deps.passwords.hash(password);
  if (await replacePasswordDigest(db, account.id, account.password_digest, digest)) {
    deps.log.info({ account: account.uid }, 'imported bcrypt password digest upgraded to argon2id');
  }
}

/** How many accounts still have a bcrypt digest: 0 means every imported password is upgraded. */
export function countLegacyDigests(db: Executor): Promise<{ bcrypt: number; total: number }> {
  return countPasswordDigests(db);
}
