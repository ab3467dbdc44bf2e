/**
 * ISO 3166-1 countries as Barong's clients send them: alpha-2 or alpha-3 codes (Barong 1.8.26+
 * checked those) and English short names (Barong's own web UI sent names and alpha-3 codes).
 * The data is i18n-iso-countries' (kept up to date with the standard), English names only.
 */
import { createRequire } from 'node:module';

// Loaded with the first profile, not at start-up.
let library: Promise<typeof import('i18n-iso-countries')> | undefined;
function loadCountries(): Promise<typeof import('i18n-iso-countries')> {
  library ??= import('i18n-iso-countries').then(({ default: countries }) => {
    countries.registerLocale(createRequire(import.meta.url)('i18n-iso-countries/langs/en.json'));
    return countries;
  });
  return library;
}

/**
 * The value to store for what the client sent, or undefined when it names no country: a code
 * upper-cased (`kor` → `KOR`), an English name as given (`Saint Kitts and Nevis`).
 */
export async function normaliseCountry(input: string): Promise<string | undefined> {
  const countries = await loadCountries();
  // Two or three letters are a code or nothing (the names include aliases such as `UK`).
  if (/^[A-Za-z]{2,3}$/.test(input)) return countries.isValid(input.toUpperCase()) ? input.toUpperCase() : undefined;
  return countries.getAlpha2Code(input, 'en') ? input : undefined;
}
