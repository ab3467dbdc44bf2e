/**
 * Label rules (Barong 1.8.2+): key and value are 3 to 255 characters of [a-z0-9_-], downcased
 * first. Messages are ActiveRecord's full messages, every failing rule listed.
 */
const PATTERN = /^[a-z0-9_-]+$/;
const MIN = 3;
const MAX = 255;

export function normalizeLabelText(text: string): string {
  return text.toLowerCase();
}

function problemsOf(attribute: 'Key' | 'Value', text: string): string[] {
  const problems: string[] = [];
  if (text.length < MIN) problems.push(`${attribute} is too short (minimum is ${MIN} characters)`);
  if (text.length > MAX) problems.push(`${attribute} is too long (maximum is ${MAX} characters)`);
  if (!PATTERN.test(text)) problems.push(`${attribute} is invalid`);
  return problems;
}

/** Problems of a normalized key. */
export function labelKeyProblems(key: string): string[] {
  return problemsOf('Key', key);
}

/** Problems of a normalized value. */
export function labelValueProblems(value: string): string[] {
  return problemsOf('Value', value);
}
