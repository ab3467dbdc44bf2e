/**
 * Signs a Management API request body (jwt-multisig: a JWS in general JSON serialization with one
 * signature per signer) and prints it, ready for `curl -d @-`:
 *
 *   npx tsx scripts/management-sign.ts --signer backend-1=keys/backend-1.pem --signer backend-2=keys/b2.pem:ES256 \
 *     --data '{"account_uid":"ID092B2AF8E8","key":"tier","value":"gold"}' [--expires-in 60] [--iss I] [--aud A] [--jti J]
 *
 * Each --signer is ID=PRIVATE_KEY_FILE[:ALGORITHM]: the id is the key's name in the server's keychain,
 * the file a PEM private key (or Barong's URL-safe Base64 of it); the algorithm defaults to RS256 for
 * RSA, ES256/384/512 by curve and EdDSA for Ed25519. The payload gets iat, exp (default 60 s ahead)
 * and a random jti (each is accepted once).
 */
import { createPrivateKey, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { pemOf } from '../src/crypto/api-key-jwt.js';
import { defaultAlgorithmFor, signMultisigJwt, type MultisigSigner } from '../src/crypto/multisig-jwt.js';

function fail(message: string): never {
  console.error(`management-sign: ${message}`);
  process.exit(1);
}

function signerFrom(spec: string): MultisigSigner {
  const match = spec.match(/^([^=]+)=(.+?)(?::([A-Za-z0-9]+))?$/);
  if (!match) fail(`--signer must be ID=PRIVATE_KEY_FILE[:ALGORITHM] (got "${spec}")`);
  const [, kid, file, given] = match;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    fail(`cannot read ${file}`);
  }
  const pem = pemOf(text.trim());
  if (!pem?.includes('PRIVATE KEY')) fail(`${file} is not a PEM private key`);
  const key = createPrivateKey(pem);
  const algorithm = given ?? defaultAlgorithmFor(key) ?? fail(`no default algorithm for the key in ${file}; add :ALGORITHM`);
  return { kid, key, algorithm };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      signer: { type: 'string', multiple: true },
      data: { type: 'string', default: '{}' },
      'expires-in': { type: 'string', default: '60' },
      iss: { type: 'string' },
      aud: { type: 'string' },
      jti: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log('usage: management-sign --signer ID=KEY_FILE[:ALG] [--signer ...] [--data JSON] [--expires-in S] [--iss I] [--aud A] [--jti J]');
    return;
  }
  if (!values.signer?.length) fail('at least one --signer ID=PRIVATE_KEY_FILE is needed');
  let data: unknown;
  try {
    data = JSON.parse(values.data!);
  } catch {
    fail('--data must be JSON');
  }
  const expiresIn = Number(values['expires-in']);
  if (!Number.isInteger(expiresIn) || expiresIn < 1) fail('--expires-in must be a positive number of seconds');
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iat: now,
    exp: now + expiresIn,
    jti: values.jti ?? randomUUID(),
    ...(values.iss ? { iss: values.iss } : {}),
    ...(values.aud ? { aud: values.aud } : {}),
    data,
  };
  console.log(JSON.stringify(await signMultisigJwt(payload, values.signer.map(signerFrom))));
}

main().catch((error) => fail(error instanceof Error ? error.message : String(error)));
