/**
 * Secrets that the embedded default generates once into DATA_DIR (mode 0600) when config does not
 * provide them, so `make start` works with no set-up. Production sets them through config.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface KeyFileLogger {
  warn(obj: object, msg: string): void;
}

/** Reads DATA_DIR/keys/<name>, creating it with `create()` the first time. */
export function readOrCreateKeyFile(
  dataDir: string,
  name: string,
  create: () => string,
  log: KeyFileLogger,
): string {
  const dir = path.join(dataDir, 'keys');
  const file = path.join(dir, name);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const content = create();
  try {
    fs.writeFileSync(file, content, { mode: 0o600, flag: 'wx' });
    log.warn({ file }, `generated ${name}: set it through configuration in production`);
    return content;
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file, 'utf8');
    throw error;
  }
}
