/**
 * KYC documents: checked (type list, number length, expiry date, file type by content), the file
 * stored under a random name, the row inserted and the private label `document` set to `pending`
 * (unless already `verified`) — the row and the file are both written or neither.
 */
import type { Readable } from 'node:stream';
import { randomToken } from '../../crypto/tokens.js';
import { lockAccountById } from '../../db/queries/accounts.js';
import { documentTotalsByAccountId, findDocumentOfAccount, insertDocument, listDocumentsByAccountId } from '../../db/queries/documents.js';
import { listPrivateLabelsByAccountId } from '../../db/queries/labels.js';
import type { AccountRow, DocumentRow, Executor } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { parseCalendarDate } from '../calendar-date.js';
import type { Deps } from '../deps.js';
import { recordDocumentCreated } from '../events/model-events.js';
import { isAcceptableMetadata } from '../metadata.js';
import { setPrivateLabel } from '../labels/levels.js';

export const DOC_TYPES: readonly string[] = ['Passport', 'Identity card', 'Driver license', 'Utility Bill'];
export const DOC_NUMBER_MAX = 128;
/** Accepted file types, as detected from the content (never the name or the client's type). */
export const UPLOAD_TYPES: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'application/pdf': 'pdf',
};

/** The file's accepted type (a key of UPLOAD_TYPES) read from its content; undefined for any other. */
export async function acceptedUploadType(file: Uint8Array): Promise<string | undefined> {
  // file-type is loaded with the first upload, not at start-up.
  const detected = await (await import('file-type')).fileTypeFromBuffer(file);
  return detected && detected.mime in UPLOAD_TYPES ? detected.mime : undefined;
}

export interface DocumentInput {
  doc_type: string;
  doc_number: string;
  doc_expire: string;
  /** A JSON-encoded object, optional. */
  metadata?: string;
  /** The uploaded file's bytes; undefined when no file part named `upload` was sent. */
  file?: Uint8Array;
}

export async function uploadDocument(deps: Deps, account: AccountRow, input: DocumentInput): Promise<DocumentRow> {
  const problems: string[] = [];
  if (!DOC_TYPES.includes(input.doc_type)) problems.push('Doc type is not included in the list');
  if ([...input.doc_number].length > DOC_NUMBER_MAX) {
    problems.push(`Doc number is too long (maximum is ${DOC_NUMBER_MAX} characters)`);
  } else if (input.doc_number.includes('\u0000')) {
    // PostgreSQL text cannot hold NUL: refuse it here rather than fail the insert.
    problems.push('Doc number is invalid');
  }
  if (!parseCalendarDate(input.doc_expire)) problems.push('Doc expire Date must be in the following format: yyyy-mm-dd');
  const metadata = parseMetadata(input.metadata);
  if (metadata === INVALID) problems.push('Metadata is invalid');
  let contentType: string | undefined;
  if (!input.file || input.file.length === 0) {
    problems.push("Upload can't be blank");
  } else {
    contentType = await acceptedUploadType(input.file);
    if (!contentType) problems.push('Upload must be a JPEG, PNG or PDF file');
  }
  if (problems.length > 0 || !input.file || !contentType || metadata === INVALID) {
    throw new AppError('INVALID_DOCUMENT', problems.join(', '));
  }

  // Checked before the file is stored, and again under the account lock, which decides parallel uploads.
  await assertRoomFor(deps, deps.db, account, input.file.length);
  // File first, then the row in a transaction; if the transaction fails, the file goes again.
  const key = randomToken(24);
  await deps.storage.put(key, input.file, contentType);
  try {
    return await deps.db.transaction().execute(async (trx) => {
      // Serialises this account's label changes, so `verified` set meanwhile is not overwritten.
      await lockAccountById(trx, account.id);
      await assertRoomFor(deps, trx, account, input.file!.length);
      const document = await insertDocument(trx, {
        account_id: account.id,
        upload: key,
        content_type: contentType,
        byte_size: input.file!.length,
        doc_type: input.doc_type,
        doc_number: input.doc_number,
        doc_expire: input.doc_expire,
        metadata: metadata === undefined ? null : JSON.stringify(metadata),
      });
      const labels = await listPrivateLabelsByAccountId(trx, account.id);
      if (labels.find((l) => l.key === 'document')?.value !== 'verified') {
        await setPrivateLabel(trx, account.id, 'document', 'pending');
      }
      await recordDocumentCreated(deps, trx, account, document);
      return document;
    });
  } catch (error) {
    await deps.storage.remove(key).catch((removeError: unknown) => {
      deps.log.error({ err: removeError, upload: key }, 'could not remove the file of a failed document upload');
    });
    throw error;
  }
}

/** The per-account caps: DOCUMENTS_LIMIT documents, DOCUMENTS_MAX_TOTAL_MB of files. */
async function assertRoomFor(deps: Deps, db: Executor, account: AccountRow, bytes: number): Promise<void> {
  const totals = await documentTotalsByAccountId(db, account.id);
  if (totals.count >= deps.config.documentsLimit) throw new AppError('DOCUMENTS_LIMIT_REACHED');
  if (totals.bytes + bytes > deps.config.documentsMaxTotalBytes) throw new AppError('DOCUMENTS_SIZE_LIMIT_REACHED');
}

export function listDocuments(deps: Deps, account: AccountRow): Promise<DocumentRow[]> {
  return listDocumentsByAccountId(deps.db, account.id);
}

/** The stored file of one of the account's own documents; 404 for anyone else's. */
export async function openDocumentFile(
  deps: Deps,
  account: AccountRow,
  id: number,
): Promise<{ document: DocumentRow; content: Readable }> {
  if (!Number.isSafeInteger(id) || id < 1) throw new AppError('NOT_FOUND');
  const document = await findDocumentOfAccount(deps.db, account.id, String(id));
  if (!document) throw new AppError('NOT_FOUND');
  return { document, content: await deps.storage.read(document.upload) };
}

const INVALID = Symbol('invalid');

function parseMetadata(raw: string | undefined): Record<string, unknown> | undefined | typeof INVALID {
  if (raw === undefined || raw === '') return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return isAcceptableMetadata(value) ? value : INVALID;
  } catch {
    return INVALID;
  }
}
