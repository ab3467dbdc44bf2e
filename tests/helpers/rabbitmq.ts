/**
 * The machine's RabbitMQ (TEST_RABBITMQ_URL, default amqp://guest:guest@127.0.0.1:5672) seen as
 * an Event API consumer sees it: an exclusive queue of our own bound to Barong's exchanges, each
 * message verified as a jwt-multisig JWT with the public key. Other test files publish to the same
 * exchanges at the same time, so tests pick their own events (by account uid or email).
 */
import net from 'node:net';
import amqp from 'amqplib';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { generalVerify, type GeneralJWS } from 'jose';

export const RABBITMQ_URL = process.env.TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** Every routing key we publish, per exchange (a direct exchange delivers only bound keys). */
export const EVENT_ROUTES: Record<string, string[]> = {
  'barong.events.model': [
    'account.created',
    'account.updated',
    'profile.created',
    'profile.updated',
    'document.created',
    'phone.created',
    'phone.updated',
    'api_key.created',
    'api_key.updated',
    'api_key.deleted',
  ],
  'barong.events.system': ['document.verified', 'document.rejected'],
};

export interface ReceivedEvent {
  exchange: string;
  routingKey: string;
  messageId: string;
  /** The message body: the jwt-multisig JSON. */
  jws: GeneralJWS;
  /** The verified payload: {iss, jti, iat, exp, event}. */
  payload: { iss: string; jti: string; iat: number; exp: number; event: { name: string; [k: string]: any } };
}

export interface EventConsumer {
  received: ReceivedEvent[];
  /** Messages whose signature did not verify (should stay empty). */
  rejected: string[];
  /** Waits until `count` events match `pick`; returns them in arrival order. */
  waitFor(pick: (e: ReceivedEvent) => boolean, count: number, timeoutMs?: number): Promise<ReceivedEvent[]>;
  close(): Promise<void>;
}

export async function rabbitMqReachable(): Promise<boolean> {
  const url = new URL(RABBITMQ_URL);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port || 5672), url.hostname);
    socket.setTimeout(1_000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

/** A fresh RSA signing key, given to the server the way Barong takes it (URL-safe Base64 of the PEM). */
export function eventSigningKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { env: Buffer.from(pem).toString('base64url'), publicKey: createPublicKey(privateKey) };
}

export async function consumeEvents(publicKey: ReturnType<typeof createPublicKey>): Promise<EventConsumer> {
  const connection = await amqp.connect(RABBITMQ_URL);
  const channel = await connection.createChannel();
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  for (const [exchange, keys] of Object.entries(EVENT_ROUTES)) {
    await channel.assertExchange(exchange, 'direct', { durable: false, autoDelete: false });
    for (const key of keys) await channel.bindQueue(queue, exchange, key);
  }
  const received: ReceivedEvent[] = [];
  const rejected: string[] = [];
  await channel.consume(
    queue,
    (message) => {
      if (!message) return;
      const body = message.content.toString('utf8');
      const jws = JSON.parse(body) as GeneralJWS;
      generalVerify(jws, publicKey).then(
        (verified) => {
          const header = verified.unprotectedHeader as { kid?: string } | undefined;
          if (header?.kid !== 'barong') throw new Error(`signer ${header?.kid}`);
          received.push({
            exchange: message.fields.exchange,
            routingKey: message.fields.routingKey,
            messageId: String(message.properties.messageId),
            jws,
            payload: JSON.parse(new TextDecoder().decode(verified.payload)),
          });
        },
        // Other test files sign with their own keys: not ours, not counted.
        () => rejected.push(body),
      );
    },
    { noAck: true },
  );
  return {
    received,
    rejected,
    async waitFor(pick, count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.filter(pick);
        if (found.length >= count) return found;
        if (Date.now() > deadline) {
          throw new Error(`only ${found.length} of ${count} events arrived: ${JSON.stringify(found.map((e) => e.payload.event.name))}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      await connection.close().catch(() => undefined);
    },
  };
}
