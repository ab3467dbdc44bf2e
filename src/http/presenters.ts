/** Rows → wire entities with Barong's field names. */
import type { AccountRow, ApiKeyRow, ApplicationRow, AuditRecordRow, DocumentRow, LabelRow, OutboxJobRow, PhoneRow, ProfileRow } from '../db/schema.js';
import type { AccountDetails } from '../domain/admin/accounts.js';
import type { PendingReview } from '../domain/reviews/reviews.js';

export function presentAccount(account: AccountRow) {
  return {
    uid: account.uid,
    email: account.email,
    role: account.role,
    level: account.level,
    state: account.state,
    otp_enabled: account.otp_enabled,
  };
}

export function presentApplication(application: ApplicationRow) {
  return {
    uid: application.uid,
    name: application.name,
    redirect_uri: application.redirect_uri,
    created_at: isoTime(application.created_at),
  };
}

export function presentProfile(profile: ProfileRow) {
  return {
    first_name: profile.first_name,
    last_name: profile.last_name,
    dob: isoDate(profile.dob),
    address: profile.address,
    postcode: profile.postcode,
    city: profile.city,
    country: profile.country,
    metadata: profile.metadata,
  };
}

export function presentLabel(label: LabelRow) {
  return {
    key: label.key,
    value: label.value,
    scope: label.scope,
    created_at: isoTime(label.created_at),
    updated_at: isoTime(label.updated_at),
  };
}

/** An account as operators see it (admin API). */
export function presentAdminAccount(account: AccountRow) {
  return {
    ...presentAccount(account),
    created_at: isoTime(account.created_at),
    updated_at: isoTime(account.updated_at),
  };
}

/** An account with its KYC data (admin API). */
export function presentAdminAccountDetails(details: AccountDetails) {
  return {
    ...presentAdminAccount(details.account),
    labels: details.labels.map(presentLabel),
    profile: details.profile ? presentProfile(details.profile) : null,
    phones: details.phones.map(presentPhone),
    documents: details.documents.map((d) => presentAdminDocument(details.account.uid, d)),
  };
}

/** A document as reviewers see it: its file at the reviewers' download, with type and size. */
export function presentAdminDocument(accountUid: string, document: DocumentRow) {
  const id = Number(document.id);
  return {
    ...presentDocument(document),
    upload: { url: `/api/v1/admin/accounts/${encodeURIComponent(accountUid)}/documents/${id}/file` },
    content_type: document.content_type,
    byte_size: document.byte_size,
    created_at: isoTime(document.created_at),
  };
}

/** An entry of the review queue. */
export function presentReview(review: PendingReview) {
  return {
    account: presentAdminAccount(review.account),
    submitted_at: isoTime(review.submitted_at),
    profile: review.profile ? presentProfile(review.profile) : null,
    phones: review.phones.map(presentPhone),
    documents: review.documents.map((d) => presentAdminDocument(review.account.uid, d)),
  };
}

export function presentAuditRecord(record: AuditRecordRow) {
  return {
    id: Number(record.id),
    actor: record.actor,
    action: record.action,
    account_uid: record.target_uid,
    before: record.before,
    after: record.after,
    request_id: record.request_id,
    source_ip: record.source_ip,
    created_at: isoTime(record.created_at),
  };
}

export function presentApiKey(key: ApiKeyRow) {
  return {
    uid: key.uid,
    public_key: key.public_key,
    scopes: key.scopes,
    expires_in: key.expires_in,
    state: key.state,
    created_at: isoTime(key.created_at),
    updated_at: isoTime(key.updated_at),
  };
}

/** Barong's Document entity, plus its id; the file is only served by the owner-only endpoint. */
export function presentDocument(document: DocumentRow) {
  const id = Number(document.id);
  return {
    id,
    upload: { url: `/api/v1/documents/${id}/file` },
    doc_type: document.doc_type,
    doc_number: document.doc_number,
    doc_expire: isoDate(document.doc_expire),
  };
}

/** A phone as operators see it (admin API's AdminPhone). */
export function presentPhone(phone: PhoneRow) {
  return {
    number: phone.number,
    country: phone.country,
    validated_at: phone.validated_at ? isoTime(phone.validated_at) : null,
  };
}

/** An outbox job without what it carries (a mail's text holds a token): who or what it is for. */
export function presentOutboxJob(job: OutboxJobRow) {
  const about =
    job.kind === 'mail'
      ? { recipient: String(job.payload.to), subject: String(job.payload.subject) }
      : { event: String(job.payload.name) };
  return {
    uid: job.uid,
    kind: job.kind,
    state: job.state,
    ...about,
    attempts: job.attempts,
    last_error: job.last_error,
    next_attempt_at: isoTime(job.run_after),
    created_at: isoTime(job.created_at),
  };
}

/** UTC ISO-8601 with `Z` and no fraction, as Barong's entities render times. */
export function isoTime(value: Date): string {
  return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** YYYY-MM-DD for date columns. */
export function isoDate(value: Date | string): string {
  return typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10);
}
