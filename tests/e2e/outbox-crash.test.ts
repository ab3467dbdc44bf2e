/**
 * A server process killed with SIGKILL mid-journey, while the SMTP server refuses (451) and the
 * broker is cut off, loses no committed mail or event: after a restart on the same data, every
 * sign-up that was answered 201 gets its confirmation mail and its `model.account.created` event.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailSink, type MailSink } from '../helpers/mail-sink.js';
import {
  consumeEvents,
  eventSigningKey,
  rabbitMqReachable,
  RABBITMQ_URL,
  type EventConsumer,
} from '../helpers/rabbitmq.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { PASSWORD, uniqueEmail } from '../helpers/test-app.js';

const reachable = await rabbitMqReachable();
const skip = !reachable && !process.env.CI;
if (skip) console.warn(`tests/e2e/outbox-crash.test.ts skipped: no RabbitMQ at ${RABBITMQ_URL} (TEST_RABBITMQ_URL)`);

describe.skipIf(skip)('a server process killed with SIGKILL', () => {
  const key = eventSigningKey();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'barong-crash-'));
  let mail: MailSink;
  let proxy: TcpProxy;
  let consumer: EventConsumer;
  let env: Record<string, string>;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    mail = await startMailSink();
    const broker = new URL(RABBITMQ_URL);
    proxy = await startTcpProxy({ host: broker.hostname, port: Number(broker.port || 5672) });
    broker.host = `127.0.0.1:${proxy.port}`;
    consumer = await consumeEvents(key.publicKey);
    env = {
      SMTP_ADDRESS: '127.0.0.1',
      SMTP_PORT: String(mail.port),
      EVENT_API_RABBITMQ_URL: broker.toString(),
      EVENT_API_JWT_PRIVATE_KEY: key.env,
      // The restarted process must deliver from the same queue as the killed one.
      OUTBOX_QUEUE: `crash-${process.pid}-${proxy.port}`,
      OUTBOX_POLL_MS: '100',
      OUTBOX_RETRY_BASE_MS: '100',
      OUTBOX_RETRY_MAX_MS: '500',
      // A job the killed process was sending is taken over once its lease runs out.
      OUTBOX_LEASE_MS: '2000',
      RATE_LIMIT_SIGN_IN_PER_IP: '1000/60',
    };
  });
  afterAll(async () => {
    await server?.stop();
    await consumer?.close();
    await proxy?.close();
    await mail?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers every committed mail and event after the restart', async () => {
    mail.refuse(451);
    await proxy.cut();
    server = await startServerProcess({ env, dataDir });
    const signUp = async (email: string) => {
      const response = await fetch(`${server!.url}/api/v1/accounts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      return response.status;
    };
    const answered: string[] = [];
    for (let i = 0; i < 4; i++) {
      const email = uniqueEmail('crash');
      expect(await signUp(email)).toBe(201);
      answered.push(email);
    }
    // More sign-ups in flight when the process dies: those answered 201 were committed.
    const inFlight = Array.from({ length: 4 }, () => uniqueEmail('crash'));
    const pending = inFlight.map((email) => signUp(email).then((status) => status === 201 && answered.push(email), () => undefined));
    await new Promise((resolve) => setTimeout(resolve, 150));
    server.child.kill('SIGKILL');
    await new Promise((resolve) => server!.child.once('exit', resolve));
    await Promise.all(pending);
    expect(mail.received.filter((m) => m.to.startsWith('crash.'))).toHaveLength(0);

    mail.accept();
    await proxy.restore();
    server = await startServerProcess({ env, dataDir });
    for (const email of answered) await mail.next(email, 'Confirmation instructions', 20_000);
    const created = await consumer.waitFor(
      (e) => e.payload.event.name === 'model.account.created' && answered.includes(e.payload.event.record.email),
      answered.length,
      20_000,
    );
    expect(new Set(created.map((e) => e.payload.event.record.email))).toEqual(new Set(answered));
  }, 180_000);
});
