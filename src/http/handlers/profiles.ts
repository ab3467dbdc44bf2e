import type { Deps } from '../../domain/deps.js';
import { createProfile, getProfile } from '../../domain/profiles/profiles.js';
import type { Handlers } from '../api-types.js';
import { presentProfile } from '../presenters.js';
import { currentAccount } from '../security.js';

export function profileHandlers(deps: Deps) {
  return {
    async postV1Profiles(request) {
      await createProfile(deps, currentAccount(request), request.body);
      return null;
    },
    async getV1ProfilesMe(request) {
      return presentProfile(await getProfile(deps, currentAccount(request)));
    },
  } satisfies Partial<Handlers>;
}
