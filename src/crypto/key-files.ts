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
export function readOrCreateKeyFile(dataDir: string, name: string, create: () => string, log: KeyFileLogger): string {
  return readKeyFile(dataDir, name) ?? writeNewKeyFile(dataDir, name, create(), log);
}

/** The same, for a key whose creation takes long (an RSA key pair): made off the event loop. */
export async function readOrCreateKeyFileAsync(
  dataDir: string,
  name: string,
  create: () => Promise<string>,
  log: KeyFileLogger,
): Promise<string> {
  return readKeyFile(dataDir, name) ?? writeNewKeyFile(dataDir, name, await create(), log);
}

function readKeyFile(dataDir: string, name: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dataDir, 'keys', name), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return undefined;
  }
}

function writeNewKeyFile(dataDir: string, name: string, content: string, log: KeyFileLogger): string {
  const dir = path.join(dataDir, 'keys');
  const file = path.join(dir, name);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
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
