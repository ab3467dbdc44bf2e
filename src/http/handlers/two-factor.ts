import type { Deps } from '../../domain/deps.js';
import { enableTwoFactor, generateTwoFactorSecret, verifyTwoFactorCode } from '../../domain/two-factor/two-factor.js';
import type { Handlers } from '../api-types.js';
import { currentAccount } from '../security.js';

export function twoFactorHandlers(deps: Deps) {
  return {
    async postV1SecurityGenerateQrcode(request) {
      return { data: await generateTwoFactorSecret(deps, currentAccount(request)) };
    },
    async postV1SecurityEnable2fa(request) {
      await enableTwoFactor(deps, currentAccount(request), request.body.code);
      return null;
    },
    async postV1SecurityVerifyCode(request) {
      await verifyTwoFactorCode(deps, currentAccount(request), request.body.code);
      return null;
    },
  } satisfies Partial<Handlers>;
}
