/**
 * How the server's code is bundled with esbuild: for `npm run build` (bundle-server.ts, from tsc's
 * output) and for the tests' operator CLI, bundled from the sources (tests/helpers/global-setup.ts).
 * Left outside the bundle, loaded from node_modules as before:
 *  - native addons, and packages that read files next to their own code (PGlite's WebAssembly, Swagger
 *    UI's assets, @fastify/swagger's and the OpenAPI meta-schema validator's JSON files);
 *  - the optional integrations, imported only when configured or first used (Redis, S3, RabbitMQ,
 *    SMTP, the Barong MySQL import, QR codes, file-type detection), so they stay out of memory otherwise.
 * The output directory must sit one level below the package root (src/package-root.ts).
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

export async function bundle(options: { entryPoints: string[]; outdir: string }): Promise<void> {
  await build({
    ...options,
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
}
