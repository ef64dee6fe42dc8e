// Bundle the designer's JavaScript from npm packages into static/build/ (gitignored) at `make install`.
// Nothing is fetched at run time: the pages load only these files and CSS served by web/vendor.py.
import { build } from 'esbuild';

const common = { bundle: true, minify: true, sourcemap: false, format: 'iife', target: ['es2019'],
                 loader: { '.json': 'json' }, logLevel: 'warning', legalComments: 'none' };

await build({ ...common, entryPoints: ['static/designer/main.js'], outfile: 'static/build/designer.js' });
await build({ ...common, entryPoints: ['static/designer/dmn.js'], outfile: 'static/build/designer-dmn.js' });
// axe-core, for the accessibility browser tests only (no page includes it).
await build({ ...common, entryPoints: ['scripts/axe-entry.js'], outfile: 'static/build/axe.js' });
