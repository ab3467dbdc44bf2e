import {
  apiKeyState,
  createApiKey,
  deleteApiKey,
  getApiKey,
  listApiKeys,
  updateApiKey,
} from '../../domain/api-keys/api-keys.js';
import { createApiKeySession } from '../../domain/api-keys/sessions.js';
import type { Deps } from '../../domain/deps.js';
import type { Handlers } from '../api-types.js';
import { presentApiKey } from '../presenters.js';
import { currentAccount } from '../security.js';

export function apiKeyHandlers(deps: Deps) {
  return {
    async getV1ApiKeys(request) {
      return (await listApiKeys(deps, currentAccount(request), request.query.totp_code)).map(presentApiKey);
    },
    async postV1ApiKeys(request) {
      return presentApiKey(await createApiKey(deps, currentAccount(request), request.body));
    },
    async getV1ApiKeysUid(request) {
      return presentApiKey(await getApiKey(deps, currentAccount(request), request.params.uid, request.query.totp_code));
    },
    async patchV1ApiKeysUid(request) {
      return presentApiKey(await updateApiKey(deps, currentAccount(request), request.params.uid, request.body));
    },
    async deleteV1ApiKeysUid(request, reply) {
      await deleteApiKey(deps, currentAccount(request), request.params.uid, request.query.totp_code);
      return reply.code(204).send();
    },
    async postV1SessionsGenerateJwt(request) {
      return { token: await createApiKeySession(deps, request.body, request.ip) };
    },
    async postV1SecurityVerifyApiKey(request) {
      return apiKeyState(deps, request.body);
    },
  } satisfies Partial<Handlers>;
}
