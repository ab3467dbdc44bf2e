/**
 * `npm run build`'s last step: the compiled server (dist/src) bundled with its packages into
 * dist/server/main.js, which `npm start` runs, with the embedded database's init child
 * (pglite-init.js), the operator CLI that `make cli` runs (cli.js) and the chunks they share beside it.
 * Before, the server opened 1,102 module and package files before it was ready; with the bundle, 272
 * (those of the packages left outside), and start-up takes about 0.3 s less CPU (README, "Production
 * runtime").
 * Left outside the bundle, loaded from node_modules as before:
 *  - native addons, and packages that read files next to their own code (PGlite's WebAssembly, Swagger
 *    UI's assets, @fastify/swagger's and the OpenAPI meta-schema validator's JSON files);
 *  - the optional integrations, imported only when configured or first used (Redis, S3, RabbitMQ,
 *    SMTP, the Barong MySQL import, QR codes, file-type detection), so they stay out of memory otherwise.
 */
import { build } from 'esbuild';

const EXTERNAL = [
  '@node-rs/*',
  '@electric-sql/pglite',
  '@electric-sql/pglite/*',
  '@fastify/swagger',
  '@fastify/swagger-ui',
  '@seriousme/openapi-schema-validator',
  'ioredis',
  '@aws-sdk/*',
  'amqplib',
  'nodemailer',
  'mysql2',
  'mysql2/*',
  'qrcode',
  'file-type',
  'pg-native',
];

await build({
  entryPoints: ['dist/src/main.js', 'dist/src/db/pglite-init.js', 'dist/scripts/cli.js'],
  outdir: 'dist/server',
  entryNames: '[name]',
  // Modules imported dynamically (optional integrations, the server behind a cluster's primary) become
  // chunks of their own, loaded when imported: one bundle would hoist their imports to its top.
  splitting: true,
  chunkNames: '[name]-[hash]', // beside main.js: package-root.ts and pglite.ts resolve paths from where they are
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: EXTERNAL,
  // The CommonJS packages inside call require() for Node's modules and for the packages left outside.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
});
console.log('server bundled: dist/server/main.js (and the operator CLI: dist/server/cli.js)');
