import type { Deps } from '../../domain/deps.js';
import { createLabel, deleteOwnLabel, getLabel, listLabels, updateLabel } from '../../domain/labels/labels.js';
import type { Handlers } from '../api-types.js';
import { presentLabel } from '../presenters.js';
import { currentAccount } from '../security.js';

export function labelHandlers(deps: Deps) {
  return {
    async getV1Labels(request) {
      return (await listLabels(deps, currentAccount(request))).map(presentLabel);
    },
    async postV1Labels(request) {
      return presentLabel(await createLabel(deps, currentAccount(request), request.body));
    },
    async getV1LabelsKey(request) {
      return presentLabel(await getLabel(deps, currentAccount(request), request.params.key));
    },
    async patchV1LabelsKey(request) {
      return presentLabel(await updateLabel(deps, currentAccount(request), request.params.key, request.body.value));
    },
    async deleteV1LabelsKey(request, reply) {
      await deleteOwnLabel(deps, currentAccount(request), request.params.key);
      return reply.code(204).send();
    },
  } satisfies Partial<Handlers>;
}
