/**
 * Multipart file parts (POST /v1/documents). With `attachFieldsToBody: 'keyValues'` a file part
 * would reach the body as a Buffer and fail the spec's string validation, so `onFile` reads it,
 * keeps the bytes aside on `request.upload` and leaves a string (the client's file name) in the
 * body. A file over the size limit answers 413 (AppError UPLOAD_TOO_LARGE), not 500.
 */
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

export interface UploadedFile {
  /** The form field the file came in. */
  fieldname: string;
  /** As the client named it; never used to store or type the file. */
  filename: string;
  /** As the client declared it; never trusted. */
  mimetype: string;
  data: Buffer;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The file part of a multipart request (one file at most), or null. */
    upload: UploadedFile | null;
  }
}

export async function keepUploadAside(this: FastifyRequest, part: MultipartFile): Promise<void> {
  let data: Buffer;
  try {
    data = await part.toBuffer();
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError('UPLOAD_TOO_LARGE');
    throw error;
  }
  this.upload = { fieldname: part.fieldname, filename: part.filename, mimetype: part.mimetype, data };
  part.value = part.filename;
}
