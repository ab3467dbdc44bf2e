/**
 * A real calendar day written YYYY-MM-DD (no 2030-02-30), years 0001-9999 as PostgreSQL's `date`
 * takes them, as a UTC midnight Date; undefined otherwise.
 */
export function parseCalendarDate(value: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1) return undefined;
  // Date.UTC maps years 0-99 to 1900-1999, so the year is set separately; an impossible day rolls
  // over into the next month and fails the round trip.
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return date;
}
