/** Rows → wire entities with Barong's field names. */
import type { AccountRow, ApplicationRow } from '../db/schema.js';

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

/** UTC ISO-8601 with `Z` and no fraction, as Barong's entities render times. */
export function isoTime(value: Date): string {
  return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** YYYY-MM-DD for date columns. */
export function isoDate(value: Date | string): string {
  return typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10);
}
