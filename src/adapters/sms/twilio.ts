/**
 * Twilio's Messages API over plain HTTP (Node's fetch): POST form `To`, `From`, `Body` to
 * {apiUrl}/2010-04-01/Accounts/{sid}/Messages.json with HTTP Basic auth (sid:token).
 */
import type { Config } from '../../config.js';
import { SmsDeliveryError, type SmsSender } from './sms-sender.js';

export const TWILIO_TIMEOUT_MS = 10_000;

export function createTwilioSmsSender(
  twilio: NonNullable<Config['twilio']>,
  timeoutMs = TWILIO_TIMEOUT_MS,
): SmsSender {
  const url = `${twilio.apiUrl}/2010-04-01/Accounts/${encodeURIComponent(twilio.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${twilio.accountSid}:${twilio.authToken}`).toString('base64')}`;

  return {
    async send({ to, body }) {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { authorization, accept: 'application/json' },
          body: new URLSearchParams({ To: to, From: twilio.phoneNumber, Body: body }),
          // Credentials go to this URL only, never to wherever a redirect points.
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw new SmsDeliveryError(`Twilio request failed: ${(error as Error).message}`, {}, { cause: error });
      }
      const text = await response.text().catch(() => '');
      if (!response.ok) {
        // Twilio's error body: {"code": 21211, "message": "...", "more_info": "...", "status": 400}.
        let parsed: { code?: unknown; message?: unknown } = {};
        try {
          parsed = JSON.parse(text) as typeof parsed;
        } catch {
          // not JSON: keep the status only
        }
        throw new SmsDeliveryError(`Twilio answered ${response.status}`, {
          status: response.status,
          providerCode: parsed.code,
          providerMessage: typeof parsed.message === 'string' ? parsed.message.slice(0, 300) : undefined,
        });
      }
    },
  };
}
