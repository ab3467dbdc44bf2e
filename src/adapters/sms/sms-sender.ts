/**
 * Outgoing SMS: Twilio's Messages REST API (twilio.ts) when TWILIO_* is configured, otherwise a
 * text file per message under DATA_DIR/outbox/ and a log line (outbox.ts); bootstrap.ts chooses.
 */
export interface SmsMessage {
  /** E.164 with '+', e.g. +447911123456. */
  to: string;
  body: string;
}

export interface SmsSender {
  /** Resolves once the provider accepted the message; rejects with SmsDeliveryError otherwise. */
  send(message: SmsMessage): Promise<void>;
}

export interface SmsLogger {
  info(obj: object, msg: string): void;
}

/** The provider refused the message or could not be reached. Never carries the credentials. */
export class SmsDeliveryError extends Error {
  constructor(
    message: string,
    readonly details: { status?: number; providerCode?: unknown; providerMessage?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SmsDeliveryError';
  }
}
