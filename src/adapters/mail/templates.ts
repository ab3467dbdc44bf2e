/** Mail texts. Links point at the front end (FRONTEND_DOMAIN), as Barong's did. */
import type { Config } from '../../config.js';
import type { MailMessage } from './mailer.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function withLink(to: string, subject: string, intro: string, link: string, outro: string): MailMessage {
  return {
    to,
    subject,
    link,
    text: `Hello ${to},\n\n${intro}\n\n${link}\n\n${outro}\n`,
    html: `<p>Hello ${escapeHtml(to)},</p><p>${escapeHtml(intro)}</p><p><a href="${escapeHtml(link)}">${escapeHtml(
      link,
    )}</a></p><p>${escapeHtml(outro)}</p>`,
  };
}

export function confirmationMail(config: Config, to: string, token: string): MailMessage {
  const link = `${config.mail.frontendUrl}/accounts/confirmation?confirmation_token=${encodeURIComponent(token)}`;
  return withLink(
    to,
    'Confirmation instructions',
    `You can confirm your ${config.appName} account email through the link below:`,
    link,
    'If you did not sign up, you can ignore this message.',
  );
}

export function resetPasswordMail(config: Config, to: string, token: string): MailMessage {
  const link = `${config.mail.frontendUrl}/accounts/password/edit?reset_password_token=${encodeURIComponent(token)}`;
  return withLink(
    to,
    'Reset password instructions',
    'Someone has requested a link to change your password. You can do this through the link below (valid for 6 hours):',
    link,
    "If you didn't request this, please ignore this email. Your password won't change until you use the link above.",
  );
}

function plain(to: string, subject: string, paragraphs: string[]): MailMessage {
  return {
    to,
    subject,
    text: `Hello ${to},\n\n${paragraphs.join('\n\n')}\n`,
    html: `<p>Hello ${escapeHtml(to)},</p>${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('')}`,
  };
}

/** Sent when an operator sets the private `document` label to `verified` (Barong's ProfileReviewMailer). */
export function identityApprovedMail(config: Config, to: string): MailMessage {
  return plain(to, 'Your identity was approved', [
    `Your identity documents on ${config.appName} have been verified.`,
    'Your account level has been updated accordingly.',
  ]);
}

/**
 * Sent when an operator sets the private `document` label to `rejected`; a review decision always
 * gives the reason, which the user needs to fix the documents.
 */
export function identityRejectedMail(config: Config, to: string, reason?: string): MailMessage {
  return plain(to, 'Your identity was rejected', [
    `We could not verify your identity documents on ${config.appName}.`,
    ...(reason ? [`Reason: ${reason}`] : []),
    'Please check your documents and upload them again.',
  ]);
}

/**
 * Security notifications: each tells the owner what changed on the account, so a change made by
 * someone else is noticed at once. They carry no link, so they cannot be used for phishing.
 */
const NOT_YOU = 'If this was not you, reset your password at once and contact support.';

export function passwordChangedMail(config: Config, to: string): MailMessage {
  return plain(to, 'Your password was changed', [
    `The password of your ${config.appName} account was just changed; every session was signed out.`,
    NOT_YOU,
  ]);
}

export function passwordResetDoneMail(config: Config, to: string): MailMessage {
  return plain(to, 'Your password was reset', [
    `The password of your ${config.appName} account was just reset with an emailed link; every session was signed out.`,
    NOT_YOU,
  ]);
}

export function twoFactorEnabledMail(config: Config, to: string): MailMessage {
  return plain(to, 'Two-factor authentication was enabled', [
    `Two-factor authentication was just turned on for your ${config.appName} account.`,
    NOT_YOU,
  ]);
}

export function twoFactorDisabledMail(config: Config, to: string): MailMessage {
  return plain(to, 'Two-factor authentication was disabled', [
    `Two-factor authentication was just turned off for your ${config.appName} account; every session was signed out.`,
    NOT_YOU,
  ]);
}

export function apiKeyCreatedMail(config: Config, to: string, kid: string): MailMessage {
  return plain(to, 'A new API key was created', [
    `A new API key (${kid}) was just created for your ${config.appName} account.`,
    'If this was not you, delete the key, reset your password at once and contact support.',
  ]);
}
