import type { Deps } from '../../domain/deps.js';
import { addPhone, resendPhoneCode, verifyPhone } from '../../domain/phones/phones.js';
import type { Handlers } from '../api-types.js';
import { currentAccount } from '../security.js';

export function phoneHandlers(deps: Deps) {
  return {
    async postV1Phones(request) {
      await addPhone(deps, currentAccount(request), request.body.phone_number);
      return { message: 'Code was sent successfully' };
    },
    async postV1PhonesSendCode(request) {
      await resendPhoneCode(deps, currentAccount(request), request.body.phone_number);
      return { message: 'Code was sent successfully' };
    },
    async postV1PhonesVerify(request) {
      await verifyPhone(deps, currentAccount(request), request.body.phone_number, request.body.verification_code);
      return { message: 'Phone was verified successfully' };
    },
  } satisfies Partial<Handlers>;
}
