/**
 * Delivers outbox jobs: claims due ones (a lease; SKIP LOCKED, so several processes on one
 * PostgreSQL share the work and never hold one job at the same time), sends each, deletes it once
 * the SMTP server or the broker has taken it, and otherwise schedules the next attempt with
 * exponential backoff until `maxAttempts`, when the job is marked dead for an operator to retry.
 * Delivery is at least once: a process killed between sending and deleting sends the job again
 * after its lease ran out, with the same Message-ID or jti.
 */
import type { Mailer } from '../../adapters/mail/mailer.js';
import type { EventPublisher } from '../../adapters/events/rabbitmq.js';
import type { OutboxConfig } from '../../config-outbox.js';
import type { EventSigner } from '../../crypto/event-jwt.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import { claimDueOutboxJobs, deleteOutboxJob, recordOutboxFailure } from '../../db/queries/outbox-jobs.js';
import type { Db, OutboxJobRow } from '../../db/schema.js';
import { mailSealContext, type MailJobPayload, type SealedMailContent } from './outbox.js';

export interface OutboxWorker {
  /** Looks for due jobs now (called after a job is written) instead of at the next poll. */
  wake(): void;
  start(): void;
  /** Stops polling and waits for the deliveries in flight. */
  stop(): Promise<void>;
}

export interface OutboxWorkerOptions {
  db: Db;
  config: OutboxConfig;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  secretBox: SecretBox;
  mailer: Mailer;
  /** Unset without EVENT_API_RABBITMQ_*: then no event jobs are written either. */
  events?: { signer: EventSigner; publisher: EventPublisher };
}

const BATCH = 20;
/** A wake can come before the writing transaction committed; one more look shortly after catches it. */
const WAKE_RECHECK_MS = 30;

/** The delay before attempt `attempts + 1`: base, 2·base, 4·base, … up to max. */
export function retryDelayMs(config: OutboxConfig, attempts: number): number {
  return Math.min(config.retryMaxMs, config.retryBaseMs * 2 ** Math.min(attempts - 1, 30));
}

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { db, config, log } = options;
  let started = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  function schedule(ms: number) {
    if (!started || stopped) return;
    clearTimeout(timer);
    timer = setTimeout(tick, ms);
    timer.unref();
  }

  function tick() {
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      try {
        do {
          again = false;
          const jobs = await claimDueOutboxJobs(db, config.queue, BATCH, config.leaseMs);
          // Claimed jobs never share an ordering key, so they may go out side by side.
          await Promise.all(jobs.map(deliver));
          if (jobs.length === BATCH) again = true;
        } while (again && !stopped);
      } catch (error) {
        log.error({ err: error }, 'outbox: could not claim jobs');
      }
    })().finally(() => {
      running = undefined;
      schedule(config.pollMs);
    });
  }

  async function deliver(job: OutboxJobRow): Promise<void> {
    try {
      if (job.kind === 'mail') await sendMail(job);
      else await publishEvent(job);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const dead = job.attempts >= config.maxAttempts;
      const runAfter = new Date(Date.now() + retryDelayMs(config, job.attempts));
      log.warn({ job: job.uid, kind: job.kind, attempts: job.attempts, dead, err: message }, dead ? 'outbox: job is dead' : 'outbox: delivery failed, will retry');
      await recordOutboxFailure(db, job.id, { error: message, runAfter, dead }).catch((e) =>
        log.error({ err: e, job: job.uid }, 'outbox: could not record a failed attempt (the lease runs out instead)'),
      );
      return;
    }
    await deleteOutboxJob(db, job.id).catch((e) =>
      log.error({ err: e, job: job.uid }, 'outbox: delivered but not deleted; it is sent again after its lease'),
    );
  }

  async function sendMail(job: OutboxJobRow): Promise<void> {
    const payload = job.payload as unknown as MailJobPayload;
    const content = JSON.parse(options.secretBox.open(payload.sealed, mailSealContext(job.uid))) as SealedMailContent;
    await options.mailer.send({ to: payload.to, subject: payload.subject, ...content }, `<${job.uid}@outbox.barong>`);
  }

  async function publishEvent(job: OutboxJobRow): Promise<void> {
    if (!options.events) throw new Error('no RabbitMQ configured (EVENT_API_RABBITMQ_URL)');
    const event = job.payload;
    const [category, ...rest] = String(event.name).split('.');
    const jwt = await options.events.signer.sign(event, job.uid);
    await options.events.publisher.publish({
      exchange: `barong.events.${category}`,
      routingKey: rest.join('.'),
      body: JSON.stringify(jwt),
      messageId: job.uid,
    });
  }

  return {
    wake() {
      if (!started || stopped) return;
      tick();
      setTimeout(() => (started && !stopped ? tick() : undefined), WAKE_RECHECK_MS).unref();
    },
    start() {
      if (started) return;
      started = true;
      schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      while (running) await running;
    },
  };
}
