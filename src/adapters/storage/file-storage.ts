/**
 * Where uploaded files live, behind one small interface: a local directory (local.ts,
 * DATA_DIR/uploads) by default, or an S3-compatible bucket (s3.ts, STORAGE_PROVIDER=s3).
 * Keys are random names chosen by the caller (never a client's file name).
 */
import type { Readable } from 'node:stream';

export interface FileStorage {
  /**
   * Stores `data` under a new `key`; fails if the key exists. `contentType` is the type judged from
   * the content (kept as object metadata where the store has any).
   */
  put(key: string, data: Uint8Array, contentType?: string): Promise<void>;
  /** The stored bytes as a stream; rejects with StoredFileMissingError when there is none. */
  read(key: string): Promise<Readable>;
  /** Removes the file; no error when it is already gone. */
  remove(key: string): Promise<void>;
  /**
   * Keys of the files last written before `cutoff` (for the sweep of files no document names).
   * Only names a key can have are listed; anything else in the store is left alone.
   */
  listWrittenBefore(cutoff: Date): AsyncIterable<string>;
}

export class StoredFileMissingError extends Error {
  constructor(readonly key: string) {
    super(`stored file ${key} is missing`);
    this.name = 'StoredFileMissingError';
  }
}

/** The store itself failed (unreachable, refused, ...); the underlying error is the `cause`. */
export class StorageError extends Error {
  constructor(
    readonly operation: string,
    readonly key: string,
    options: { cause: unknown },
  ) {
    super(`file storage failed to ${operation} ${key}`, options);
    this.name = 'StorageError';
  }
}

/** Keys are random base64url names; anything else (a path, "..") is refused. */
export const STORAGE_KEY_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export function assertStorageKey(key: string): void {
  if (!STORAGE_KEY_PATTERN.test(key)) throw new Error(`invalid storage key "${key}"`);
}
