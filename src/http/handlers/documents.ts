import type { Deps } from '../../domain/deps.js';
import { listDocuments, openDocumentFile, UPLOAD_TYPES, uploadDocument } from '../../domain/documents/documents.js';
import type { Handlers } from '../api-types.js';
import { presentDocument } from '../presenters.js';
import { currentAccount } from '../security.js';

export function documentHandlers(deps: Deps) {
  return {
    async postV1Documents(request) {
      const { doc_type, doc_number, doc_expire, metadata } = request.body;
      // Only a real file part named `upload` counts; a plain text field of that name is no file.
      const file = request.upload?.fieldname === 'upload' ? request.upload.data : undefined;
      const document = await uploadDocument(deps, currentAccount(request), { doc_type, doc_number, doc_expire, metadata, file });
      return presentDocument(document);
    },
    async getV1Documents(request) {
      return (await listDocuments(deps, currentAccount(request))).map(presentDocument);
    },
    async getV1DocumentsIdFile(request, reply) {
      const { document, content } = await openDocumentFile(deps, currentAccount(request), request.params.id);
      return reply
        .type(document.content_type)
        .header('content-disposition', `attachment; filename="document-${document.id}.${UPLOAD_TYPES[document.content_type] ?? 'bin'}"`)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(content);
    },
  } satisfies Partial<Handlers>;
}
