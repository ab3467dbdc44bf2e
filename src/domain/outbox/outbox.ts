/**
 * The two calls that put something in the outbox, inside the transaction of the change it belongs
 * to: it is committed with the change or not at all, and the worker (worker.ts) delivers it after.
 *
 *   await enqueueMail(deps, trx, confirmationMail(deps.config, email, token));
 *   await recordEvent(deps, trx, 'model.account.created', { record }, account.uid);
 */
import { randomUUID } from 'node:crypto';
import type { MailMessage } from '../../adapters/mail/mailer.js';
import { insertOutboxJob } from '../../db/queries/outbox-jobs.js';
import type { Executor } from '../../db/schema.js';
import type { Deps } from '../deps.js';

/** What a mail job keeps in clear: the rest (links with tokens) is sealed with the secret box. */
export interface MailJobPayload {
  to: string;
  subject: string;
  sealed: string;
}

export interface SealedMailContent {
  text: string;
  html: string;
  link?: string;
}

/** The sealed part of a mail job is bound to the job, so it cannot be moved onto another row. */
export const mailSealContext = (jobUid: string) => `outbox-mail:${jobUid}`;

export async function enqueueMail(deps: Deps, trx: Executor, message: MailMessage): Promise<void> {
  const uid = randomUUID();
  const content: SealedMailContent = { text: message.text, html: message.html, link: message.link };
  const payload: MailJobPayload = {
    to: message.to,
    subject: message.subject,
    sealed: deps.secretBox.seal(JSON.stringify(content), mailSealContext(uid)),
  };
  await insertOutboxJob(trx, { uid, queue: deps.config.outbox.queue, kind: 'mail', ordering_key: null, payload: { ...payload } });
  deps.outbox.wake();
}

/**
 * An Event API event (`<category>.<model>.<what>`, e.g. `model.account.updated`) with its fields
 * (`record`, `changes`, or Barong's flat `uid`, `email`). Events with one `orderingKey` (the account
 * uid) are published in the order they were recorded. With no RabbitMQ configured, nothing is recorded.
 */
export async function recordEvent(
  deps: Deps,
  trx: Executor,
  name: string,
  fields: Record<string, unknown>,
  orderingKey: string,
): Promise<void> {
  if (!deps.config.eventApi) return;
  await insertOutboxJob(trx, { uid: randomUUID(), queue: deps.config.outbox.queue, kind: 'event', ordering_key: orderingKey, payload: { name, ...fields } });
  deps.outbox.wake();
}
