/** Admin operations on accounts; the glue has already checked the caller (operator token or role). */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { accountDetails, changeRole, disableAccountTwoFactor, listAccounts, type Operator } from '../../domain/admin/accounts.js';
import { deleteAccountLabel, setAccountLabel } from '../../domain/admin/labels.js';
import { listAudit, OPERATOR_TOKEN_ACTOR } from '../../domain/audit/audit.js';
import type { Deps } from '../../domain/deps.js';
import { UPLOAD_TYPES } from '../../domain/documents/documents.js';
import { decideReview, openReviewDocument, reviewQueue } from '../../domain/reviews/reviews.js';
import type { Handlers } from '../api-types.js';
import {
  presentAdminAccount,
  presentAdminAccountDetails,
  presentAuditRecord,
  presentLabel,
  presentReview,
} from '../presenters.js';
import { currentAccount } from '../security.js';

/** The caller of an admin operation, with what the audit trail records about the request. */
export function currentOperator(request: FastifyRequest): Operator {
  const where = { requestId: request.id, sourceIp: request.ip };
  if (request.operator) return { kind: 'operator-token', actor: { name: OPERATOR_TOKEN_ACTOR, ...where } };
  const account = currentAccount(request);
  return { kind: 'account', account, actor: { name: account.uid, ...where } };
}

/** Images are shown to the reviewer in the page; anything else (PDF) is downloaded. */
const INLINE_TYPES = new Set(['image/jpeg', 'image/png']);

export function adminHandlers(deps: Deps) {
  return {
    async getV1AdminAccounts(request) {
      return (await listAccounts(deps, request.query)).map(presentAdminAccount);
    },
    async getV1AdminAccountsUid(request) {
      return presentAdminAccountDetails(await accountDetails(deps, request.params.uid));
    },
    async putV1AdminAccountsUidRole(request) {
      return presentAdminAccount(await changeRole(deps, currentOperator(request), request.params.uid, request.body.role));
    },
    async deleteV1AdminAccountsUidOtp(request) {
      return presentAdminAccount(await disableAccountTwoFactor(deps, currentOperator(request), request.params.uid));
    },
    async putV1AdminAccountsUidLabelsKey(request) {
      const { uid, key } = request.params;
      return presentLabel(await setAccountLabel(deps, currentOperator(request), uid, key, request.body.value));
    },
    async deleteV1AdminAccountsUidLabelsKey(request, reply) {
      await deleteAccountLabel(deps, currentOperator(request), request.params.uid, request.params.key);
      return reply.code(204).send();
    },
    async getV1AdminReviews(request, reply: FastifyReply) {
      const { total, reviews } = await reviewQueue(deps, request.query);
      reply.header('x-total-count', String(total));
      return reviews.map(presentReview);
    },
    async postV1AdminReviewsUid(request) {
      return presentAdminAccountDetails(await decideReview(deps, currentOperator(request), request.params.uid, request.body));
    },
    async getV1AdminAccountsUidDocumentsIdFile(request, reply) {
      const { document, content } = await openReviewDocument(deps, request.params.uid, request.params.id);
      const disposition = INLINE_TYPES.has(document.content_type) ? 'inline' : 'attachment';
      return reply
        .type(document.content_type)
        .header('content-disposition', `${disposition}; filename="document-${document.id}.${UPLOAD_TYPES[document.content_type] ?? 'bin'}"`)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(content);
    },
    async getV1AdminAudit(request) {
      return (await listAudit(deps, request.query)).map(presentAuditRecord);
    },
  } satisfies Partial<Handlers>;
}
