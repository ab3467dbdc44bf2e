/** FileStorage in a local directory (mode 0700, files 0600), one flat file per key. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { assertStorageKey, STORAGE_KEY_PATTERN, StoredFileMissingError, type FileStorage } from './file-storage.js';

export function createLocalFileStorage(root: string): FileStorage {
  const fileOf = (key: string) => {
    assertStorageKey(key);
    return path.join(root, key);
  };
  return {
    async put(key, data) {
      const file = fileOf(key);
      await fs.mkdir(root, { recursive: true, mode: 0o700 });
      try {
        await fs.writeFile(file, data, { mode: 0o600, flag: 'wx' });
      } catch (error) {
        // A half-written file (disk full, ...) must not stay behind; an existing one is not ours.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') await fs.rm(file, { force: true });
        throw error;
      }
    },
    async read(key) {
      const file = fileOf(key);
      try {
        const handle = await fs.open(file, 'r');
        return handle.createReadStream();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new StoredFileMissingError(key);
        throw error;
      }
    },
    async remove(key) {
      await fs.rm(fileOf(key), { force: true });
    },
    async *listWrittenBefore(cutoff) {
      let names: string[];
      try {
        names = await fs.readdir(root);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const name of names) {
        if (!STORAGE_KEY_PATTERN.test(name)) continue;
        const stat = await fs.stat(path.join(root, name)).catch(() => undefined); // removed meanwhile
        if (stat?.isFile() && stat.mtime < cutoff) yield name;
      }
    },
  };
}
