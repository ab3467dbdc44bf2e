/** A real SMTP server on loopback (smtp-server); nodemailer delivers to it over TCP. */
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
}

export interface MailSink {
  port: number;
  received: ReceivedMail[];
  /** Waits for the next mail to `to` (matching `subject` if given) that was not taken before. */
  next(to: string, subject?: string, timeoutMs?: number): Promise<ReceivedMail>;
  /** Answer every message with this SMTP code (e.g. 451, a temporary failure) until accept(). */
  refuse(code: number): void;
  accept(): void;
  /** Messages refused so far. */
  refusals(): number;
  close(): Promise<void>;
}

export async function startMailSink(): Promise<MailSink> {
  const received: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const waiters = new Set<() => void>();
  let refusing: number | undefined;
  let refused = 0;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      if (refusing !== undefined) {
        const code = refusing;
        refused += 1;
        stream.on('end', () => callback(Object.assign(new Error('Requested action aborted: try again later'), { responseCode: code })));
        stream.resume();
        return;
      }
      simpleParser(stream)
        .then((mail: ParsedMail) => {
          const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : (mail.to?.text ?? '');
          received.push({
            to,
            from: mail.from?.text ?? '',
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : '',
            messageId: mail.messageId ?? '',
          });
          for (const wake of waiters) wake();
          callback();
        })
        .catch(callback);
    },
  });
  // A client killed mid-session (tests/e2e/outbox-crash.test.ts) resets its connection: not an error of the sink.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;

  return {
    port,
    received,
    async next(to, subject, timeoutMs = 5_000) {
      const find = () =>
        received.find((m) => !taken.has(m) && m.to.includes(to) && (subject === undefined || m.subject === subject));
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const mail = find();
        if (mail) {
          taken.add(mail);
          return mail;
        }
        if (Date.now() > deadline) throw new Error(`no mail to ${to}${subject ? ` (${subject})` : ''} arrived`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
          setTimeout(wake, 100);
        });
      }
    },
    refuse: (code) => (refusing = code),
    accept: () => (refusing = undefined),
    refusals: () => refused,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The token in a mailed link, e.g. linkToken(mail, 'confirmation_token'). */
export function linkToken(mail: ReceivedMail, param: string): string {
  const match = mail.text.match(new RegExp(`[?&]${param}=([^\\s&]+)`));
  if (!match) throw new Error(`no ${param} link in mail "${mail.subject}"`);
  return decodeURIComponent(match[1]);
}
