/** KYC profile: personal details, one per account. Creating it changes no label and no level. */
import { isUniqueViolation } from '../../db/database.js';
import { findProfileByAccountId, insertProfile } from '../../db/queries/profiles.js';
import { PROFILE_DETAILS, type AccountRow, type ProfileDetails, type ProfileRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { parseCalendarDate } from '../calendar-date.js';
import type { Deps } from '../deps.js';
import { recordProfileSaved } from '../events/model-events.js';
import { isAcceptableMetadata } from '../metadata.js';
import { normaliseCountry } from './countries.js';

export type ProfileInput = ProfileDetails & { metadata?: Record<string, unknown> };


function todayUtc(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/**
 * Checks in Barong's order: blank or unparseable parameters (400, Grape-style), an existing
 * profile (409), then the rules (422): a date of birth in the past, an ISO 3166-1 country code
 * (alpha-2 or alpha-3, stored upper-cased as given) or English short name (stored as given), metadata
 * within its limits.
 */
export async function createProfile(deps: Deps, account: AccountRow, input: ProfileInput): Promise<void> {
  const fields = Object.fromEntries(PROFILE_DETAILS.map((name) => [name, input[name].trim()])) as ProfileDetails;
  const blank = PROFILE_DETAILS.filter((name) => fields[name] === '').map((name) => `${name} is empty`);
  if (blank.length > 0) throw new AppError('VALIDATION_FAILED', blank.join(', '));
  const dob = parseCalendarDate(fields.dob);
  if (!dob) throw new AppError('VALIDATION_FAILED', 'dob is invalid');

  if (await findProfileByAccountId(deps.db, account.id)) throw new AppError('PROFILE_EXISTS');

  const country = await normaliseCountry(fields.country);
  const problems: string[] = [];
  if (dob.getTime() >= todayUtc().getTime()) problems.push('Dob must be in the past');
  if (country === undefined) problems.push('Country is invalid');
  if (input.metadata !== undefined && !isAcceptableMetadata(input.metadata)) problems.push('Metadata is invalid');
  if (problems.length > 0) throw new AppError('INVALID_PROFILE', problems.join(', '));

  try {
    await deps.db.transaction().execute(async (trx) => {
      await insertProfile(trx, {
        account_id: account.id,
        ...fields,
        country: country!,
        metadata: input.metadata === undefined ? null : JSON.stringify(input.metadata),
      });
      const profile = await findProfileByAccountId(trx, account.id);
      if (profile) await recordProfileSaved(deps, trx, account, profile);
    });
  } catch (error) {
    // The unique index decides a race of parallel creates for one account.
    if (isUniqueViolation(error, 'profiles_account_id_key')) throw new AppError('PROFILE_EXISTS');
    throw error;
  }
}

export async function getProfile(deps: Deps, account: AccountRow): Promise<ProfileRow> {
  const profile = await findProfileByAccountId(deps.db, account.id);
  if (!profile) throw new AppError('PROFILE_MISSING');
  return profile;
}
