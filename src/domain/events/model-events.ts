/**
 * The Event API events of our records, in Barong's shapes (docs/api/event_api.md at 1.8.42):
 * `model.<model>.created` carries `record`, `model.<model>.updated` carries `record` and `changes`
 * (the previous values of the attributes that changed; attributes that were empty are left out, as
 * Barong's `compact` did). Times are ISO 8601 without fractions. Never a password digest, a token,
 * a code or a secret.
 */
import { findAccountById } from '../../db/queries/accounts.js';
import { latestAccountTokenIssuedAt } from '../../db/queries/account-tokens.js';
import type { AccountRow, ApiKeyRow, DocumentRow, Executor, PhoneRow, ProfileRow } from '../../db/schema.js';
import type { Deps } from '../deps.js';
import { recordEvent } from '../outbox/outbox.js';

type Record_ = Record<string, unknown>;

export function iso8601(date: Date | null | undefined): string | undefined {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
}

/** Barong's `as_json_for_event_api(...).compact`: attributes without a value are left out. */
function compact(record: Record_): Record_ {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined && v !== null));
}

async function accountRecord(trx: Executor, account: AccountRow): Promise<Record_> {
  return compact({
    uid: account.uid,
    email: account.email,
    level: account.level,
    otp_enabled: account.otp_enabled,
    confirmed_at: iso8601(account.confirmed_at),
    confirmation_sent_at: iso8601(await latestAccountTokenIssuedAt(trx, account.id, 'confirmation')),
    state: account.state,
    created_at: iso8601(account.created_at),
    updated_at: iso8601(account.updated_at),
  });
}

function profileRecord(account: AccountRow, profile: ProfileRow): Record_ {
  return compact({
    account_uid: account.uid,
    first_name: profile.first_name,
    last_name: profile.last_name,
    dob: profile.dob,
    address: profile.address,
    postcode: profile.postcode,
    city: profile.city,
    country: profile.country,
    metadata: profile.metadata,
    created_at: iso8601(profile.created_at),
    updated_at: iso8601(profile.updated_at),
  });
}

/**
 * `changes` as Barong computed it: the attributes of `before` whose value differs in `after`.
 * Undefined when nothing but updated_at changed (a write that changed nothing a consumer sees).
 */
function changesBetween(before: Record_, after: Record_): Record_ | undefined {
  const differs = (key: string) => JSON.stringify(before[key]) !== JSON.stringify(after[key]);
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  if (![...keys].some((key) => key !== 'updated_at' && differs(key))) return undefined;
  return Object.fromEntries(Object.entries(before).filter(([key]) => differs(key)));
}

export async function recordAccountCreated(deps: Deps, trx: Executor, account: AccountRow): Promise<void> {
  if (!deps.config.eventApi) return;
  await recordEvent(deps, trx, 'model.account.created', { record: await accountRecord(trx, account) }, account.uid);
}

/**
 * `model.account.updated` for what the transaction changed since `before` (the row as locked at
 * its start); call at the end of the transaction. Nothing when no attribute of the record changed.
 */
export async function recordAccountUpdated(deps: Deps, trx: Executor, before: AccountRow): Promise<void> {
  if (!deps.config.eventApi) return;
  const after = await findAccountById(trx, before.id);
  if (!after) return;
  const [previous, current] = [await accountRecord(trx, before), await accountRecord(trx, after)];
  const changes = changesBetween(previous, current);
  if (changes) await recordEvent(deps, trx, 'model.account.updated', { record: current, changes }, after.uid);
}

/** `model.profile.created`, or `model.profile.updated` when there was a profile `before`. */
export async function recordProfileSaved(
  deps: Deps,
  trx: Executor,
  account: AccountRow,
  profile: ProfileRow,
  before?: ProfileRow,
): Promise<void> {
  if (!deps.config.eventApi) return;
  const record = profileRecord(account, profile);
  if (!before) {
    await recordEvent(deps, trx, 'model.profile.created', { record }, account.uid);
    return;
  }
  const changes = changesBetween(profileRecord(account, before), record);
  if (changes) await recordEvent(deps, trx, 'model.profile.updated', { record, changes }, account.uid);
}

function documentRecord(account: AccountRow, document: DocumentRow): Record_ {
  return compact({
    id: Number(document.id),
    account_uid: account.uid,
    doc_type: document.doc_type,
    doc_number: document.doc_number,
    doc_expire: document.doc_expire,
    content_type: document.content_type,
    metadata: document.metadata,
    created_at: iso8601(document.created_at),
    updated_at: iso8601(document.updated_at),
  });
}

function phoneRecord(account: AccountRow, phone: PhoneRow): Record_ {
  return compact({
    account_uid: account.uid,
    number: phone.number,
    country: phone.country,
    validated_at: iso8601(phone.validated_at),
    created_at: iso8601(phone.created_at),
    updated_at: iso8601(phone.updated_at),
  });
}

/** An API key without its public key: which key (`uid`, the client's `kid`), for whom, how usable. */
function apiKeyRecord(account: AccountRow, key: ApiKeyRow): Record_ {
  return compact({
    uid: key.uid,
    account_uid: account.uid,
    scopes: key.scopes,
    expires_in: key.expires_in,
    state: key.state,
    created_at: iso8601(key.created_at),
    updated_at: iso8601(key.updated_at),
  });
}

/** `model.document.created` when a KYC document is uploaded (the file itself is never in an event). */
export async function recordDocumentCreated(deps: Deps, trx: Executor, account: AccountRow, document: DocumentRow): Promise<void> {
  await recordEvent(deps, trx, 'model.document.created', { record: documentRecord(account, document) }, account.uid);
}

/** `model.phone.created` for a new number, `model.phone.updated` (e.g. `validated_at`) for a change. */
export async function recordPhoneSaved(deps: Deps, trx: Executor, account: AccountRow, phone: PhoneRow, before?: PhoneRow): Promise<void> {
  const record = phoneRecord(account, phone);
  if (!before) return recordEvent(deps, trx, 'model.phone.created', { record }, account.uid);
  const changes = changesBetween(phoneRecord(account, before), record);
  if (changes) await recordEvent(deps, trx, 'model.phone.updated', { record, changes }, account.uid);
}

/** `model.api_key.created|updated|deleted`. */
export async function recordApiKeyChange(
  deps: Deps,
  trx: Executor,
  account: AccountRow,
  change: { created: ApiKeyRow } | { updated: ApiKeyRow; before: ApiKeyRow } | { deleted: ApiKeyRow },
): Promise<void> {
  if ('created' in change) {
    await recordEvent(deps, trx, 'model.api_key.created', { record: apiKeyRecord(account, change.created) }, account.uid);
  } else if ('deleted' in change) {
    await recordEvent(deps, trx, 'model.api_key.deleted', { record: apiKeyRecord(account, change.deleted) }, account.uid);
  } else {
    const record = apiKeyRecord(account, change.updated);
    const changes = changesBetween(apiKeyRecord(account, change.before), record);
    if (changes) await recordEvent(deps, trx, 'model.api_key.updated', { record, changes }, account.uid);
  }
}

/** Barong's `system.document.verified|rejected` ({uid, email}), when the `document` label takes that value. */
export async function recordDocumentReview(deps: Deps, trx: Executor, account: AccountRow, value: string): Promise<void> {
  if (value !== 'verified' && value !== 'rejected') return;
  await recordEvent(deps, trx, `system.document.${value}`, { uid: account.uid, email: account.email }, account.uid);
}
