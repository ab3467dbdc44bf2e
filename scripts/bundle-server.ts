/**
 * `npm run build`'s last step: the compiled server (dist/src) bundled with its packages into
 * dist/server/main.js, which `npm start` runs, with the embedded database's init child
 * (pglite-init.js), the operator CLI that `make cli` runs (cli.js) and the chunks they share beside it.
 * Before, the server opened 1,102 module and package files before it was ready; with the bundle, 272
 * (those of the packages left outside), and start-up takes about 0.3 s less CPU (README, "Production
 * runtime"). What stays outside the bundle: bundle-options.ts.
 */
import { bundle } from './bundle-options.js';

await bundle({ entryPoints: ['dist/src/main.js', 'dist/src/db/pglite-init.js', 'dist/scripts/cli.js'], outdir: 'dist/server' });
console.log('server bundled: dist/server/main.js (and the operator CLI: dist/server/cli.js)');
