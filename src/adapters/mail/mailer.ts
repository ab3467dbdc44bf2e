/**
 * Outgoing mail: SMTP through nodemailer when SMTP_ADDRESS is set, otherwise each message is
 * written as an .eml file under DATA_DIR/outbox/ (and its link logged), so a new user can confirm
 * an account without any mail server.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { SentMessageInfo, Transporter } from 'nodemailer';
import type { Config } from '../../config.js';
import { randomHex } from '../../crypto/tokens.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The action link inside the message; logged in outbox mode so a developer can follow it. */
  link?: string;
}

export interface Mailer {
  /** `messageId`: a stable Message-ID, so a receiver can drop a copy delivered twice after a crash. */
  send(message: MailMessage, messageId?: string): Promise<void>;
  close(): void;
}

export interface MailLogger {
  info(obj: object, msg: string): void;
}

export function createMailer(config: Config, log: MailLogger): Mailer {
  const from = { name: config.mail.senderName, address: config.mail.senderEmail };
  const smtp = config.mail.smtp;

  if (smtp) {
    const transport = lazyTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.port === 465,
      auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    return {
      async send({ to, subject, text, html }, messageId) {
        await (await transport.get()).sendMail({ from, to, subject, text, html, messageId });
      },
      close: () => transport.close(),
    };
  }

  const outbox = path.join(config.dataDir, 'outbox');
  const transport = lazyTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send({ to, subject, text, html, link }, messageId) {
      const info = await (await transport.get()).sendMail({ from, to, subject, text, html, messageId });
      await fs.mkdir(outbox, { recursive: true, mode: 0o700 });
      const file = path.join(outbox, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomHex(4)}.eml`);
      await fs.writeFile(file, info.message as Buffer, { mode: 0o600 });
      // Development outbox only (no SMTP configured): the link is how a local user confirms.
      log.info({ to, subject, file, link }, 'mail written to the outbox (no SMTP configured)');
    },
    close: () => transport.close(),
  };
}

/** nodemailer (~15 MB of modules) is loaded with the first mail, not at start. */
function lazyTransport(options: object) {
  let transport: Promise<Transporter<SentMessageInfo>> | undefined;
  let created: Transporter<SentMessageInfo> | undefined;
  return {
    get(): Promise<Transporter<SentMessageInfo>> {
      transport ??= import('nodemailer').then(({ default: nodemailer }) => {
        created = nodemailer.createTransport(options as never);
        return created;
      });
      return transport;
    },
    close: () => created?.close(),
  };
}
