/**
 * Development stand-in for an SMS provider: each message becomes a small text file under
 * DATA_DIR/outbox/ and a log line, so a local user can read the code.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomHex } from '../../crypto/tokens.js';
import type { SmsLogger, SmsSender } from './sms-sender.js';

export function createOutboxSmsSender(dataDir: string, log: SmsLogger): SmsSender {
  const outbox = path.join(dataDir, 'outbox');
  return {
    async send({ to, body }) {
      await fs.mkdir(outbox, { recursive: true, mode: 0o700 });
      const file = path.join(outbox, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomHex(4)}.sms.txt`);
      await fs.writeFile(file, `To: ${to}\n\n${body}\n`, { mode: 0o600, flag: 'wx' });
      // Development outbox only (no Twilio configured): the text is how a local user gets the code.
      log.info({ to, file, text: body }, 'SMS written to the outbox (no Twilio configured)');
    },
  };
}
