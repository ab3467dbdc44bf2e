/**
 * Operator CLI. Every command is a call to the admin API (/api/v1/admin/...): to the running
 * server, authenticated by the operator token it wrote to DATA_DIR/operator-token; or, when no
 * server is running, to the same app started in-process on the database (PGlite allows only one
 * process at a time, so the CLI never opens it beside a running server).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '../src/config.js';
import { OPERATOR_TOKEN_FILE } from '../src/http/security.js';
import { randomToken } from '../src/crypto/tokens.js';

interface ApiCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: Record<string, unknown>;
  /** Printed when the server answers without a body (204), so every command prints JSON. */
  emptyResult?: unknown;
  /** Write the answer's bytes to this file (document downloads) and print what was written. */
  saveTo?: string;
}

interface Command {
  usage: string;
  summary: string;
  /** The --options it takes (any other is a usage error). */
  flags?: string[];
  /** The --switches it takes, without a value (given: 'true'). */
  switches?: string[];
  build(args: string[], flags: Record<string, string>): ApiCall;
}

const ACCOUNTS = '/api/v1/admin/accounts';
const segment = encodeURIComponent;

/** The positional arguments named in `usage`, all required, none extra. */
function positional(args: string[], usage: string, count: number): string[] {
  if (args.length !== count) {
    throw new UsageError(`${args.length < count ? 'missing' : 'too many'} arguments (usage: ${usage})`);
  }
  return args;
}

const commands: Record<string, Command> = {
  'accounts list': {
    usage: 'accounts list [--email E] [--limit N] [--offset N]',
    summary: 'list accounts, oldest first (--email: only that account)',
    flags: ['email', 'limit', 'offset'],
    build: (args, flags) => {
      positional(args, 'accounts list [--email E] [--limit N] [--offset N]', 0);
      const query = new URLSearchParams(flags).toString();
      return { method: 'GET', path: query ? `${ACCOUNTS}?${query}` : ACCOUNTS };
    },
  },
  'accounts show': {
    usage: 'accounts show UID',
    summary: 'an account with its labels, profile, phones and documents',
    build: (args) => {
      const [uid] = positional(args, 'accounts show UID', 1);
      return { method: 'GET', path: `${ACCOUNTS}/${segment(uid)}` };
    },
  },
  'accounts role': {
    usage: 'accounts role UID ROLE',
    summary: 'set the role: admin, compliance or member',
    build: (args) => {
      const [uid, role] = positional(args, 'accounts role UID ROLE', 2);
      return { method: 'PUT', path: `${ACCOUNTS}/${segment(uid)}/role`, body: { role } };
    },
  },
  'accounts disable-2fa': {
    usage: 'accounts disable-2fa UID',
    summary: "turn the account's 2FA off (lost device)",
    build: (args) => {
      const [uid] = positional(args, 'accounts disable-2fa UID', 1);
      return { method: 'DELETE', path: `${ACCOUNTS}/${segment(uid)}/otp` };
    },
  },
  'labels set': {
    usage: 'labels set UID KEY VALUE',
    summary: 'set a private label, e.g. approve a document: labels set UID document verified',
    build: (args) => {
      const [uid, key, value] = positional(args, 'labels set UID KEY VALUE', 3);
      return { method: 'PUT', path: `${ACCOUNTS}/${segment(uid)}/labels/${segment(key)}`, body: { value } };
    },
  },
  'labels delete': {
    usage: 'labels delete UID KEY',
    summary: 'delete a private label (the level is recomputed)',
    build: (args) => {
      const [uid, key] = positional(args, 'labels delete UID KEY', 2);
      return {
        method: 'DELETE',
        path: `${ACCOUNTS}/${segment(uid)}/labels/${segment(key)}`,
        emptyResult: { uid, key: key.toLowerCase(), deleted: true },
      };
    },
  },
  'reviews list': {
    usage: 'reviews list [--limit N] [--offset N]',
    summary: 'the KYC review queue (document pending), oldest first',
    flags: ['limit', 'offset'],
    build: (args, flags) => {
      positional(args, 'reviews list [--limit N] [--offset N]', 0);
      const query = new URLSearchParams(flags).toString();
      return { method: 'GET', path: query ? `/api/v1/admin/reviews?${query}` : '/api/v1/admin/reviews' };
    },
  },
  'reviews approve': {
    usage: 'reviews approve UID [--re-review]',
    summary: 'approve the documents (level 3 with a verified phone); mails the user',
    switches: ['re-review'],
    build: (args, flags) => {
      const [uid] = positional(args, 'reviews approve UID [--re-review]', 1);
      return { method: 'POST', path: `/api/v1/admin/reviews/${segment(uid)}`, body: { decision: 'approve', re_review: flags['re-review'] === 'true' } };
    },
  },
  'reviews reject': {
    usage: 'reviews reject UID --reason TEXT [--re-review]',
    summary: 'reject the documents; the reason is mailed to the user',
    flags: ['reason'],
    switches: ['re-review'],
    build: (args, flags) => {
      const [uid] = positional(args, 'reviews reject UID --reason TEXT [--re-review]', 1);
      if (!flags.reason) throw new UsageError('reviews reject needs --reason TEXT (it is mailed to the user)');
      return {
        method: 'POST',
        path: `/api/v1/admin/reviews/${segment(uid)}`,
        body: { decision: 'reject', reason: flags.reason, re_review: flags['re-review'] === 'true' },
      };
    },
  },
  'documents download': {
    usage: 'documents download UID ID --out FILE',
    summary: "save the file of one of the account's documents",
    flags: ['out'],
    build: (args, flags) => {
      const [uid, id] = positional(args, 'documents download UID ID --out FILE', 2);
      if (!flags.out) throw new UsageError('documents download needs --out FILE');
      return { method: 'GET', path: `${ACCOUNTS}/${segment(uid)}/documents/${segment(id)}/file`, saveTo: flags.out };
    },
  },
  'audit list': {
    usage: 'audit list [--account UID] [--actor A] [--action A] [--limit N] [--offset N]',
    summary: 'the operators\' audit trail, newest first',
    flags: ['account', 'actor', 'action', 'limit', 'offset'],
    build: (args, flags) => {
      positional(args, 'audit list [--account UID] [--actor A] [--action A] [--limit N] [--offset N]', 0);
      const { account, ...rest } = flags;
      const query = new URLSearchParams({ ...(account ? { account_uid: account } : {}), ...rest }).toString();
      return { method: 'GET', path: query ? `/api/v1/admin/audit?${query}` : '/api/v1/admin/audit' };
    },
  },
  'applications list': {
    usage: 'applications list',
    summary: 'list the OAuth applications (their uid is the application_id of POST /v1/sessions)',
    build: () => ({ method: 'GET', path: '/api/v1/admin/applications' }),
  },
  'applications create': {
    usage: 'applications create NAME [--redirect-uri URI]',
    summary: 'create an application and print it as JSON',
    flags: ['redirect-uri'],
    build: ([name], flags) => {
      if (!name) throw new UsageError('applications create needs a NAME');
      return {
        method: 'POST',
        path: '/api/v1/admin/applications',
        body: { name, ...(flags['redirect-uri'] ? { redirect_uri: flags['redirect-uri'] } : {}) },
      };
    },
  },
  'outbox list': {
    usage: 'outbox list [--state dead|pending] [--limit N] [--offset N]',
    summary: 'mails and events waiting in the outbox: dead ones (given up) by default',
    flags: ['state', 'limit', 'offset'],
    build: (args, flags) => {
      positional(args, 'outbox list [--state dead|pending] [--limit N] [--offset N]', 0);
      const query = new URLSearchParams(flags).toString();
      return { method: 'GET', path: `/api/v1/admin/outbox/jobs${query ? `?${query}` : ''}` };
    },
  },
  'outbox retry': {
    usage: 'outbox retry JOB_UID',
    summary: 'put a dead job back in the queue, due now',
    build: (args) => {
      const [uid] = positional(args, 'outbox retry JOB_UID', 1);
      return { method: 'POST', path: `/api/v1/admin/outbox/jobs/${segment(uid)}/retry` };
    },
  },
  'outbox retry-all': {
    usage: 'outbox retry-all',
    summary: 'put every dead job back in the queue',
    build: (args) => {
      positional(args, 'outbox retry-all', 0);
      return { method: 'POST', path: '/api/v1/admin/outbox/retry' };
    },
  },
};

class UsageError extends Error {}

/** Every command's switches: these --options never take the next word as their value. */
const SWITCHES = new Set(Object.values(commands).flatMap((c) => c.switches ?? []));

function help(): string {
  const lines = Object.values(commands).map((c) => `  ${c.usage.padEnd(52)} ${c.summary}`);
  return [
    'Usage: make cli ARGS="<command>"   (or: npm run cli -- <command>)',
    '',
    'Commands:',
    ...lines,
    `  ${'import barong --from mysql://USER:PASS@HOST:PORT/DB ...'.padEnd(52)} move a Barong 1.8 deployment over (import --help)`,
    `  ${'import bcrypt-count'.padEnd(52)} accounts whose password is still Barong's bcrypt digest`,
    '',
    'Talks to the server on PORT (default 3000) with the operator token in DATA_DIR/operator-token;',
    'when no server is running, runs the command in-process against the database.',
    'Output is JSON on stdout; errors go to stderr with exit code 1.',
  ].join('\n');
}

function parse(argv: string[]): { command: Command; args: string[]; flags: Record<string, string> } {
  const flags: Record<string, string> = {};
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word.startsWith('--')) {
      const [key, inline] = word.slice(2).split('=', 2);
      if (SWITCHES.has(key) && inline === undefined) {
        flags[key] = 'true';
        continue;
      }
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${key} needs a value`);
      flags[key] = value;
    } else words.push(word);
  }
  const name = Object.keys(commands).find((n) => n.split(' ').every((part, i) => words[i] === part));
  if (!name) throw new UsageError(words.length ? `unknown command: ${words.join(' ')}` : 'no command given');
  const known = [...(commands[name].flags ?? []), ...(commands[name].switches ?? [])];
  const unknown = Object.keys(flags).filter((flag) => !known.includes(flag));
  if (unknown.length > 0) throw new UsageError(`unknown option for ${name}: ${unknown.map((f) => `--${f}`).join(', ')}`);
  return { command: commands[name], args: words.slice(name.split(' ').length), flags };
}

interface CallResult {
  status: number;
  body: unknown;
  /** The answer's bytes and type, when it is not JSON (a document file). */
  bytes?: Buffer;
  contentType?: string;
}

function readAnswer(status: number, contentType: string, bytes: Buffer): CallResult {
  if (!contentType.includes('json')) return { status, body: null, bytes, contentType };
  const text = bytes.toString('utf8');
  return { status, body: text ? JSON.parse(text) : null };
}

async function callRunningServer(config: Config, call: ApiCall): Promise<CallResult | undefined> {
  let token: string;
  try {
    token = fs.readFileSync(path.join(config.dataDir, OPERATOR_TOKEN_FILE), 'utf8').trim();
  } catch {
    return undefined; // no server has run with this data directory
  }
  try {
    const response = await fetch(`http://127.0.0.1:${config.port}${call.path}`, {
      method: call.method,
      headers: { 'x-operator-token': token, ...(call.body ? { 'content-type': 'application/json' } : {}) },
      body: call.body ? JSON.stringify(call.body) : undefined,
    });
    return readAnswer(response.status, response.headers.get('content-type') ?? '', Buffer.from(await response.arrayBuffer()));
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') return undefined;
    throw error;
  }
}

async function callInProcess(config: Config, call: ApiCall): Promise<CallResult> {
  // Loaded only here: --help, usage errors and calls to a running server start without the app.
  const [{ default: pino }, { buildApp }, { startServices }] = await Promise.all([
    import('pino'),
    import('../src/app.js'),
    import('../src/bootstrap.js'),
  ]);
  const log = pino({ level: 'warn' }, pino.destination(2));
  // The server delivers what this writes to the outbox when it next runs.
  const services = await startServices(config, log, { deliverOutbox: false });
  const operatorToken = randomToken();
  const app = await buildApp({ deps: services.deps, operatorToken });
  try {
    const response = await app.inject({
      method: call.method,
      url: call.path,
      headers: { 'x-operator-token': operatorToken },
      payload: call.body,
    });
    return readAnswer(response.statusCode, String(response.headers['content-type'] ?? ''), response.rawPayload);
  } finally {
    await app.close();
    await services.close();
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  // The importer writes the database itself (no admin API for it): scripts/import-barong.ts.
  if (argv[0] === 'import') return (await import('./import-barong.js')).runImportCommand(argv.slice(1));
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    console.log(help());
    return argv.length === 0 ? 1 : 0;
  }
  try {
    const { command, args, flags } = parse(argv);
    const config = loadConfig(process.env);
    const call = command.build(args, flags);
    const result = (await callRunningServer(config, call)) ?? (await callInProcess(config, call));
    if (result.status >= 400) {
      const message = (result.body as { error?: unknown })?.error ?? `HTTP ${result.status}`;
      console.error(`error: ${Array.isArray(message) ? message.join(', ') : message}`);
      return 1;
    }
    if (call.saveTo && result.bytes) {
      fs.writeFileSync(call.saveTo, result.bytes, { mode: 0o600 });
      console.log(JSON.stringify({ file: path.resolve(call.saveTo), content_type: result.contentType, bytes: result.bytes.length }, null, 2));
      return 0;
    }
    const output = result.body ?? call.emptyResult;
    if (output !== undefined && output !== null) console.log(JSON.stringify(output, null, 2));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) console.error(`error: ${error.message}\n\n${help()}`);
    else if (error instanceof ConfigError) console.error(error.problems.map((p) => `config: ${p}`).join('\n'));
    else console.error(`error: ${error instanceof Error ? error.message : error}`);
    return 1;
  }
}

process.exit(await main());
