import { createApplication, listApplications } from '../../domain/applications.js';
import type { Deps } from '../../domain/deps.js';
import type { Handlers } from '../api-types.js';
import { presentApplication } from '../presenters.js';

export function applicationHandlers(deps: Deps) {
  return {
    async getV1AdminApplications() {
      return (await listApplications(deps.db)).map(presentApplication);
    },
    async postV1AdminApplications(request) {
      return presentApplication(await createApplication(deps.db, request.body));
    },
  } satisfies Partial<Handlers>;
}
