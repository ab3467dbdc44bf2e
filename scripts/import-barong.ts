/**
 * `make cli ARGS="import barong --from mysql://USER:PASS@HOST:PORT/DB ..."`: moves a Barong 1.8
 * deployment over (see README "Moving from Barong 1.8"), and `import bcrypt-count`: how many
 * imported passwords are still bcrypt. Both open the database directly (the import writes
 * through the domain and query modules), so on the embedded database the server must be stopped.
 * Progress goes to stderr, the report (JSON) to stdout.
 */
import fs from 'node:fs';
import pino from 'pino';
import { openBarongSource } from '../src/adapters/barong/mysql-source.js';
import { directoryUploads, s3Uploads, type BarongUploads } from '../src/adapters/barong/uploads.js';
import { startServices } from '../src/bootstrap.js';
import { loadConfig, type Config } from '../src/config.js';
import { countLegacyDigests } from '../src/domain/accounts/legacy-digests.js';
import { importBarong } from '../src/domain/barong-import/import.js';

export const IMPORT_USAGE = [
  'import barong --from mysql://USER:PASS@HOST:PORT/DB   import a Barong 1.8 database (idempotent, resumable)',
  '      [--uploads DIR | --uploads-s3 s3://BUCKET[/PREFIX] [--s3-endpoint URL] [--s3-region R]]',
  '      [--vault-export FILE] [--dry-run] [--batch-size N] [--throttle-ms N]',
  'import bcrypt-count                                   accounts whose password is still a Barong bcrypt digest',
];

const VALUE_FLAGS = ['from', 'uploads', 'uploads-s3', 's3-endpoint', 's3-region', 'vault-export', 'batch-size', 'throttle-ms'];
const SWITCHES = ['dry-run'];

class UsageError extends Error {}

function parse(argv: string[]): { words: string[]; flags: Record<string, string>; switches: Set<string> } {
  const words: string[] = [];
  const flags: Record<string, string> = {};
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (!word.startsWith('--')) {
      words.push(word);
      continue;
    }
    const [name, inline] = word.slice(2).split('=', 2);
    if (SWITCHES.includes(name)) switches.add(name);
    else if (VALUE_FLAGS.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags[name] = value;
    } else throw new UsageError(`unknown option --${name}`);
  }
  return { words, flags, switches };
}

function positiveInteger(flags: Record<string, string>, name: string, fallback: number, min: number): number {
  if (flags[name] === undefined) return fallback;
  const value = Number(flags[name]);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} must be an integer >= ${min}`);
  return value;
}

/** PGlite belongs to one process: refuse to open it under a running server. */
async function assertNoEmbeddedServer(config: Config): Promise<void> {
  if (config.databaseUrl) return;
  try {
    await fetch(`http://127.0.0.1:${config.port}/api/v1/health/alive`, { signal: AbortSignal.timeout(1000) });
  } catch {
    return;
  }
  throw new Error(`a server answers on port ${config.port}: stop it first (the embedded database allows one process at a time)`);
}

function readVaultExport(file: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`--vault-export ${file} must hold one JSON object: {"<account uid>": "<Base32 secret or otpauth:// URL>"}`);
  }
  return parsed as Record<string, unknown>;
}

function uploadsFrom(flags: Record<string, string>): BarongUploads | undefined {
  if (flags.uploads && flags['uploads-s3']) throw new UsageError('give --uploads or --uploads-s3, not both');
  if (flags.uploads) {
    if (!fs.statSync(flags.uploads, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UsageError(`--uploads ${flags.uploads} is not a directory`);
    }
    return directoryUploads(flags.uploads);
  }
  if (flags['uploads-s3']) {
    return s3Uploads({ url: flags['uploads-s3'], endpoint: flags['s3-endpoint'], region: flags['s3-region'] });
  }
  return undefined;
}

export async function runImportCommand(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    console.log(['Usage: make cli ARGS="<command>"', '', ...IMPORT_USAGE].join('\n'));
    return argv.length === 0 ? 1 : 0;
  }
  try {
    const { words, flags, switches } = parse(argv);
    const config = loadConfig(process.env);
    if (words.length === 1 && words[0] === 'bcrypt-count') {
      await assertNoEmbeddedServer(config);
      return await withServices(config, async (services) => {
        const counts = await countLegacyDigests(services.deps.db);
        console.log(JSON.stringify({ bcrypt_digests: counts.bcrypt, accounts: counts.total }, null, 2));
        return 0;
      });
    }
    if (words.length !== 1 || words[0] !== 'barong') throw new UsageError(`unknown command: import ${words.join(' ')}`);
    if (!flags.from) throw new UsageError('import barong needs --from mysql://USER:PASS@HOST:PORT/DB');
    const batchSize = positiveInteger(flags, 'batch-size', 200, 1);
    const throttleMs = positiveInteger(flags, 'throttle-ms', 0, 0);
    const vaultSecrets = flags['vault-export'] ? readVaultExport(flags['vault-export']) : undefined;
    await assertNoEmbeddedServer(config);

    const source = await openBarongSource(flags.from);
    const uploads = uploadsFrom(flags);
    try {
      return await withServices(config, async (services) => {
        const started = Date.now();
        const report = await importBarong(services.deps, source, {
          dryRun: switches.has('dry-run'),
          batchSize,
          throttleMs,
          vaultSecrets,
          uploads,
          onProgress: ({ table, done, total }) => process.stderr.write(`import: ${table} ${done}/${total}\n`),
        });
        process.stderr.write(`import: done in ${((Date.now() - started) / 1000).toFixed(1)} s${report.dry_run ? ' (dry run: nothing written)' : ''}\n`);
        console.log(JSON.stringify(report, null, 2));
        return 0;
      });
    } finally {
      uploads?.close();
      await source.close();
    }
  } catch (error) {
    if (error instanceof UsageError) console.error(`error: ${error.message}\n\n${IMPORT_USAGE.join('\n')}`);
    else console.error(`error: ${error instanceof Error ? error.message : error}`);
    return 1;
  }
}

async function withServices<T>(config: Config, work: (services: Awaited<ReturnType<typeof startServices>>) => Promise<T>): Promise<T> {
  const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
  const services = await startServices(config, log);
  try {
    return await work(services);
  } finally {
    await services.close();
  }
}
