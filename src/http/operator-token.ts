/** The operator token file: the CLI on this machine reads it to call the admin API. */
import fs from 'node:fs';
import path from 'node:path';
import { randomToken } from '../crypto/tokens.js';

export const OPERATOR_TOKEN_FILE = 'operator-token';

/**
 * A fresh operator token for this server run, written to DATA_DIR/operator-token (0600) for the
 * CLI on this machine: whoever can read the data directory already owns the data.
 */
export function writeOperatorToken(dataDir: string): string {
  const token = randomToken();
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, OPERATOR_TOKEN_FILE);
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return token;
}
