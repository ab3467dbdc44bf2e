/**
 * A stand-in for Twilio's Messages API on loopback: the server's Twilio adapter POSTs `To`, `From`,
 * `Body` (form) to {TWILIO_API_URL}/2010-04-01/Accounts/{sid}/Messages.json with HTTP Basic auth,
 * exactly as against Twilio, and the sink keeps every message it accepted.
 */
import http from 'node:http';

export const TWILIO_TEST_CREDENTIALS = {
  TWILIO_ACCOUNT_SID: `AC${'0123456789abcdef'.repeat(2)}`,
  TWILIO_AUTH_TOKEN: 'test-auth-token',
  TWILIO_PHONE_NUMBER: '+15005550006',
} as const;

export interface ReceivedSms {
  to: string;
  from: string;
  body: string;
}

export interface SmsSink {
  url: string;
  /** The TWILIO_* environment that points a server at this sink. */
  env: Record<string, string>;
  received: ReceivedSms[];
  /** Waits for the next message to `to` that was not taken before. */
  next(to: string, timeoutMs?: number): Promise<ReceivedSms>;
  close(): Promise<void>;
}

export async function startSmsSink(credentials = TWILIO_TEST_CREDENTIALS): Promise<SmsSink> {
  const received: ReceivedSms[] = [];
  const taken = new Set<ReceivedSms>();
  const expectedPath = `/2010-04-01/Accounts/${credentials.TWILIO_ACCOUNT_SID}/Messages.json`;
  const expectedAuth = `Basic ${Buffer.from(`${credentials.TWILIO_ACCOUNT_SID}:${credentials.TWILIO_AUTH_TOKEN}`).toString('base64')}`;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const reply = (status: number, body: object) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.url !== expectedPath) return reply(404, { code: 20404, message: 'Not found', status: 404 });
      if (req.headers.authorization !== expectedAuth) return reply(401, { code: 20003, message: 'Authenticate', status: 401 });
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const sms = { to: form.get('To') ?? '', from: form.get('From') ?? '', body: form.get('Body') ?? '' };
      received.push(sms);
      reply(201, { sid: `SM${received.length.toString(16).padStart(32, '0')}`, status: 'queued', to: sms.to, from: sms.from, body: sms.body });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  return {
    url,
    env: { ...credentials, TWILIO_API_URL: url },
    received,
    async next(to, timeoutMs = 5_000) {
      const digits = to.replace(/\D/g, '');
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const sms = received.find((m) => !taken.has(m) && m.to.replace(/\D/g, '') === digits);
        if (sms) {
          taken.add(sms);
          return sms;
        }
        if (Date.now() > deadline) throw new Error(`no SMS to ${to} arrived`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
