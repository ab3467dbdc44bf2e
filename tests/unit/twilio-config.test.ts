import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { configProblems as problemsOf } from '../helpers/config.js';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;

describe('Twilio configuration', () => {
  it('is off by default (SMS go to the outbox)', () => {
    expect(loadConfig({}).twilio).toBeUndefined();
  });

  it("reads Barong's variables, with Twilio's API as the default base URL", () => {
    const config = loadConfig({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'secret', TWILIO_PHONE_NUMBER: '+15005550006' });
    expect(config.twilio).toEqual({ accountSid: SID, authToken: 'secret', phoneNumber: '+15005550006', apiUrl: 'https://api.twilio.com' });
    expect(Object.isFrozen(config.twilio)).toBe(true);
  });

  it('takes TWILIO_API_URL without its trailing slash, and an alphanumeric sender id', () => {
    const config = loadConfig({
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: 'secret',
      TWILIO_PHONE_NUMBER: 'Exchange',
      TWILIO_API_URL: 'http://127.0.0.1:8080/twilio/',
    });
    expect(config.twilio).toMatchObject({ phoneNumber: 'Exchange', apiUrl: 'http://127.0.0.1:8080/twilio' });
  });

  it('wants all three credentials or none, and names each missing one', () => {
    const problems = problemsOf({ TWILIO_ACCOUNT_SID: SID }).join('\n');
    expect(problems).toContain('TWILIO_AUTH_TOKEN');
    expect(problems).toContain('TWILIO_PHONE_NUMBER');
    expect(problemsOf({ TWILIO_API_URL: 'https://api.twilio.com' }).join('\n')).toContain('TWILIO_API_URL needs');
  });

  it('reports every bad key at once', () => {
    const problems = problemsOf({
      TWILIO_ACCOUNT_SID: 'not-a-sid',
      TWILIO_AUTH_TOKEN: 'secret',
      TWILIO_PHONE_NUMBER: '0044 12',
      TWILIO_API_URL: 'ftp://twilio',
      PORT: 'x',
    });
    expect(problems).toHaveLength(4);
    for (const key of ['TWILIO_ACCOUNT_SID', 'TWILIO_PHONE_NUMBER', 'TWILIO_API_URL', 'PORT']) {
      expect(problems.join('\n')).toContain(key);
    }
  });
});
