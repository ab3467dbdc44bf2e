/**
 * Where uploaded files live, behind one small interface: a local directory (local.ts,
 * DATA_DIR/uploads) by default; an S3-compatible store can implement the same three calls.
 * Keys are random names chosen by the caller (never a client's file name).
 */
import type { Readable } from 'node:stream';

export interface FileStorage {
  /** Stores `data` under a new `key`; fails if the key exists. */
  put(key: string, data: Uint8Array): Promise<void>;
  /** The stored bytes as a stream; rejects with StoredFileMissingError when there is none. */
  read(key: string): Promise<Readable>;
  /** Removes the file; no error when it is already gone. */
  remove(key: string): Promise<void>;
}

export class StoredFileMissingError extends Error {
  constructor(readonly key: string) {
    super(`stored file ${key} is missing`);
    this.name = 'StoredFileMissingError';
  }
}

/** Keys are random base64url names; anything else (a path, "..") is refused. */
export const STORAGE_KEY_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export function assertStorageKey(key: string): void {
  if (!STORAGE_KEY_PATTERN.test(key)) throw new Error(`invalid storage key "${key}"`);
}
