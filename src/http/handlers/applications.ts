import { createApplicationByOperator, listApplications } from '../../domain/applications.js';
import type { Deps } from '../../domain/deps.js';
import type { Handlers } from '../api-types.js';
import { presentApplication } from '../presenters.js';
import { currentOperator } from './admin.js';

export function applicationHandlers(deps: Deps) {
  return {
    async getV1AdminApplications() {
      return (await listApplications(deps.db)).map(presentApplication);
    },
    async postV1AdminApplications(request) {
      return presentApplication(await createApplicationByOperator(deps.db, currentOperator(request), request.body));
    },
  } satisfies Partial<Handlers>;
}
