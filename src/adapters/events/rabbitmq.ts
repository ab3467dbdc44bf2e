/**
 * Publishes Event API messages to RabbitMQ (amqplib) on a confirm channel: publish resolves once
 * the broker has taken the message, so the outbox deletes a job only after that. The exchanges are
 * declared as Barong's bunny `channel.direct(name)` declares them (direct, not durable), so both
 * can publish to one broker. A lost connection is opened again on the next publish.
 */
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';

export interface EventPublisher {
  publish(message: { exchange: string; routingKey: string; body: string; messageId: string }): Promise<void>;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 5_000;
const CONFIRM_TIMEOUT_MS = 10_000;

interface Link {
  connection: ChannelModel;
  channel: ConfirmChannel;
  exchanges: Set<string>;
}

export function createRabbitMqPublisher(url: string, log: { warn(obj: object, msg: string): void }): EventPublisher {
  let link: Promise<Link> | undefined;

  function drop(reason: string, stale: Promise<Link>) {
    if (link !== stale) return;
    link = undefined;
    void stale.then((l) => l.connection.close()).catch(() => undefined);
    log.warn({ reason }, 'RabbitMQ connection dropped; it is opened again on the next publish');
  }

  function connect(): Promise<Link> {
    if (link) return link;
    const opening: Promise<Link> = (async () => {
      const connection = await amqp.connect(url, { timeout: CONNECT_TIMEOUT_MS });
      connection.on('error', (error: Error) => drop(error.message, opening));
      connection.on('close', () => drop('connection closed', opening));
      const channel = await connection.createConfirmChannel();
      channel.on('error', (error: Error) => drop(error.message, opening));
      channel.on('close', () => drop('channel closed', opening));
      return { connection, channel, exchanges: new Set<string>() };
    })();
    link = opening;
    opening.catch(() => {
      if (link === opening) link = undefined;
    });
    return opening;
  }

  return {
    async publish({ exchange, routingKey, body, messageId }) {
      const current = connect();
      const { channel, exchanges } = await current;
      if (!exchanges.has(exchange)) {
        await channel.assertExchange(exchange, 'direct', { durable: false, autoDelete: false });
        exchanges.add(exchange);
      }
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          new Promise<void>((resolve, reject) => {
            channel.publish(exchange, routingKey, Buffer.from(body), { messageId, contentType: 'application/json' }, (error) =>
              error ? reject(error instanceof Error ? error : new Error('the broker refused the message')) : resolve(),
            );
          }),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              drop('no confirm from the broker', current);
              reject(new Error(`no confirm from RabbitMQ within ${CONFIRM_TIMEOUT_MS} ms`));
            }, CONFIRM_TIMEOUT_MS);
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      const current = link;
      link = undefined;
      if (current) await current.then((l) => l.connection.close()).catch(() => undefined);
    },
  };
}
