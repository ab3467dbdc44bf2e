import type { Deps } from '../../domain/deps.js';
import type { Handlers } from '../api-types.js';
import { accountHandlers } from './accounts.js';
import { applicationHandlers } from './applications.js';
import { healthHandlers } from './health.js';
import { notImplemented } from './not-implemented.js';
import { passwordResetHandlers } from './passwords.js';
import { sessionHandlers } from './sessions.js';

export function createHandlers(deps: Deps): Handlers {
  return {
    ...accountHandlers(deps),
    ...sessionHandlers(deps),
    ...passwordResetHandlers(deps),
    ...healthHandlers(deps),
    ...applicationHandlers(deps),
    ...notImplemented([
      'postV1Profiles',
      'getV1ProfilesMe',
      'postV1SecurityVerifyApiKey',
      'postV1SecurityVerifyCode',
      'postV1SecurityEnable2fa',
      'postV1SecurityGenerateQrcode',
      'postV1Documents',
      'getV1Documents',
      'getV1DocumentsIdFile',
      'postV1PhonesVerify',
      'postV1PhonesSendCode',
      'postV1Phones',
      'postV1SessionsGenerateJwt',
      'deleteV1LabelsKey',
      'patchV1LabelsKey',
      'getV1LabelsKey',
      'postV1Labels',
      'getV1Labels',
      'deleteV1ApiKeysUid',
      'patchV1ApiKeysUid',
      'getV1ApiKeysUid',
      'postV1ApiKeys',
      'getV1ApiKeys',
      'getV1AdminAccounts',
      'getV1AdminAccountsUid',
      'putV1AdminAccountsUidRole',
      'deleteV1AdminAccountsUidOtp',
      'putV1AdminAccountsUidLabelsKey',
      'deleteV1AdminAccountsUidLabelsKey',
    ]),
  };
}
