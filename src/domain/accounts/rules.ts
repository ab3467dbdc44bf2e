/** Barong 1.8's account rules (devise + devise-security), with Barong's messages. */

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

// Strict email_validator: local@domain.tld, TLD of two or more letters, no spaces.
const EMAIL = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/;

export function emailProblems(email: string): string[] {
  if (email.length === 0) return ["Email can't be blank"];
  if (email.length > 255 || !EMAIL.test(email)) return ['Email is invalid'];
  return [];
}

export const PASSWORD_LENGTH = { min: 6, max: 128 } as const;

export function passwordProblems(password: string): string[] {
  if (password.length === 0) return ["Password can't be blank"];
  const problems: string[] = [];
  if (password.length < PASSWORD_LENGTH.min) {
    problems.push(`Password is too short (minimum is ${PASSWORD_LENGTH.min} characters)`);
  }
  if (password.length > PASSWORD_LENGTH.max) {
    problems.push(`Password is too long (maximum is ${PASSWORD_LENGTH.max} characters)`);
  }
  if (!/\d/.test(password) || !/\p{Ll}/u.test(password) || !/\p{Lu}/u.test(password)) {
    problems.push('Password must contain big, small letters and digits');
  }
  return problems;
}

export const SAME_PASSWORD = 'Password must be different than the current password.';
