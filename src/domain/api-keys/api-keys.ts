/**
 * API keys of an account (Barong §3.6). Every operation needs 2FA on the account and a fresh TOTP
 * code, checked in Barong's order: 2FA on (400), then the code (422), then the parameters. The
 * public key must parse as an RSA or EC public key (Barong stored anything).
 */
import { randomUUID } from 'node:crypto';
import { apiKeyCreatedMail } from '../../adapters/mail/templates.js';
import { parseApiPublicKey } from '../../crypto/api-key-jwt.js';
import { findAccountById } from '../../db/queries/accounts.js';
import {
  deleteAccountApiKey,
  findAccountApiKey,
  findApiKeyByUid,
  insertApiKey,
  listApiKeysByAccountId,
  updateAccountApiKey,
} from '../../db/queries/api-keys.js';
import type { AccountRow, ApiKeyRow, ApiKeyUpdate } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../deps.js';
import { enqueueMail } from '../outbox/outbox.js';
import { recordApiKeyChange } from '../events/model-events.js';
import { useTotpCode } from '../two-factor/two-factor.js';

export const API_KEY_EXPIRES_IN = { min: 30, max: 86_400, default: 86_400 } as const;
export const API_KEY_STATES = ['active', 'inactive'] as const;
const MAX_PUBLIC_KEY_LENGTH = 16_384;
const MAX_SCOPES_LENGTH = 255;

export interface ApiKeyFields {
  public_key?: string;
  scopes?: string;
  expires_in?: number;
  state?: string;
}

/** 2FA on, then a code not used before; every API-key operation starts here. */
async function requireFreshCode(deps: Deps, account: AccountRow, code: string | undefined): Promise<void> {
  if (!account.otp_enabled) throw new AppError('API_KEYS_NEED_OTP');
  if (!(await useTotpCode(deps, deps.db, account.id, code ?? ''))) throw new AppError('OTP_CODE_INVALID');
}

/** Rule checks of the given fields; 422 naming every failing rule. */
function checkedFields(fields: ApiKeyFields): ApiKeyUpdate {
  const problems: string[] = [];
  const changes: ApiKeyUpdate = {};
  if (fields.public_key !== undefined) {
    if (fields.public_key.length > MAX_PUBLIC_KEY_LENGTH || !parseApiPublicKey(fields.public_key)) {
      problems.push('Public key is invalid (an RSA or EC public key in PEM, or URL-safe Base64 of the PEM)');
    }
    changes.public_key = fields.public_key.trim();
  }
  if (fields.scopes !== undefined) {
    if (fields.scopes.length > MAX_SCOPES_LENGTH) problems.push(`Scopes is too long (maximum is ${MAX_SCOPES_LENGTH} characters)`);
    changes.scopes = fields.scopes;
  }
  if (fields.expires_in !== undefined) {
    const { min, max } = API_KEY_EXPIRES_IN;
    if (fields.expires_in < min) problems.push(`Expires in must be greater than or equal to ${min}`);
    if (fields.expires_in > max) problems.push(`Expires in must be less than or equal to ${max}`);
    changes.expires_in = fields.expires_in;
  }
  if (fields.state !== undefined) {
    if (!(API_KEY_STATES as readonly string[]).includes(fields.state)) problems.push('State is not included in the list');
    changes.state = fields.state as ApiKeyRow['state'];
  }
  if (problems.length > 0) throw new AppError('INVALID_API_KEY', problems.join(', '));
  return changes;
}

export async function listApiKeys(deps: Deps, account: AccountRow, totpCode: string): Promise<ApiKeyRow[]> {
  await requireFreshCode(deps, account, totpCode);
  return listApiKeysByAccountId(deps.db, account.id);
}

export async function getApiKey(deps: Deps, account: AccountRow, uid: string, totpCode: string): Promise<ApiKeyRow> {
  await requireFreshCode(deps, account, totpCode);
  const key = await findAccountApiKey(deps.db, account.id, uid);
  if (!key) throw new AppError('NOT_FOUND');
  return key;
}

export async function createApiKey(
  deps: Deps,
  account: AccountRow,
  input: ApiKeyFields & { public_key: string; totp_code?: string },
): Promise<ApiKeyRow> {
  await requireFreshCode(deps, account, input.totp_code);
  const fields = checkedFields({ public_key: input.public_key, scopes: input.scopes, expires_in: input.expires_in });
  return deps.db.transaction().execute(async (trx) => {
    const created = await insertApiKey(trx, {
      uid: randomUUID(),
      account_id: account.id,
      public_key: fields.public_key!,
      scopes: fields.scopes ?? null,
      expires_in: fields.expires_in ?? API_KEY_EXPIRES_IN.default,
      state: 'active',
    });
    await recordApiKeyChange(deps, trx, account, { created });
    await enqueueMail(deps, trx, apiKeyCreatedMail(deps.config, account.email, created.uid));
    return created;
  });
}

export async function updateApiKey(
  deps: Deps,
  account: AccountRow,
  uid: string,
  input: ApiKeyFields & { totp_code?: string },
): Promise<ApiKeyRow> {
  await requireFreshCode(deps, account, input.totp_code);
  const changes = checkedFields(input);
  const key = await deps.db.transaction().execute(async (trx) => {
    const before = await findAccountApiKey(trx, account.id, uid);
    const updated = await updateAccountApiKey(trx, account.id, uid, changes);
    if (before && updated) await recordApiKeyChange(deps, trx, account, { updated, before });
    return updated;
  });
  if (!key) throw new AppError('NOT_FOUND');
  return key;
}

export async function deleteApiKey(deps: Deps, account: AccountRow, uid: string, totpCode: string): Promise<void> {
  await requireFreshCode(deps, account, totpCode);
  const deleted = await deps.db.transaction().execute(async (trx) => {
    const key = await findAccountApiKey(trx, account.id, uid);
    if (!key || !(await deleteAccountApiKey(trx, account.id, uid))) return false;
    await recordApiKeyChange(deps, trx, account, { deleted: key });
    return true;
  });
  if (!deleted) throw new AppError('NOT_FOUND');
}

/** `POST /security/verify_api_key` (no authentication, as in Barong): the key's state. */
export async function apiKeyState(deps: Deps, input: { uid: string; account_uid?: string }): Promise<{ state: string }> {
  const key = await findApiKeyByUid(deps.db, input.uid);
  if (!key) throw new AppError('NOT_FOUND');
  if (input.account_uid !== undefined) {
    const owner = await findAccountById(deps.db, key.account_id);
    if (owner?.uid !== input.account_uid) throw new AppError('API_KEY_NOT_OWNED');
  }
  return { state: key.state };
}
