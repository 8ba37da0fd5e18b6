// Build the creditflow front-end bundles into web/ui/static/dist/.
//
//   node ui-src/build.mjs
//
// Produces minified IIFE bundles (they set window globals, so plain
// <script src> tags work, no module loader or CDN needed) plus one CSS
// bundle per entry and the icon fonts they reference (dist/fonts/).
//
// The bpmnlint `bpmnlint:recommended` config is packed at build time with
// bpmnlint's own compile-config (the same code bpmnlint-loader and
// bpmnlint-pack-config use) and served to esbuild as a virtual module,
// so no webpack/rollup loader is needed.

import { createRequire } from 'node:module';
import { rm, mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(ROOT, 'ui-src');
const OUT = path.join(ROOT, 'web', 'ui', 'static', 'dist');

const require = createRequire(path.join(ROOT, 'package.json'));

// bpmnlint configuration that gets packed into the modeler bundle
const BPMNLINT_CONFIG = {
  extends: 'bpmnlint:recommended'
};

/**
 * esbuild plugin providing `virtual:bpmnlint-config`, the packed
 * bpmnlint configuration ({ config, resolver } with all rules bundled).
 */
function bpmnlintConfigPlugin(config) {
  return {
    name: 'bpmnlint-config',
    setup(build) {
      build.onResolve({ filter: /^virtual:bpmnlint-config$/ }, (args) => ({
        path: args.path,
        namespace: 'bpmnlint-config'
      }));

      build.onLoad({ filter: /.*/, namespace: 'bpmnlint-config' }, async () => {
        const compileConfig = require('bpmnlint/lib/support/compile-config');
        const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');

        const resolver = new NodeResolver({ require });

        return {
          contents: await compileConfig(config, resolver),
          loader: 'js',

          // rule imports (bpmnlint/rules/...) resolve from the project root
          resolveDir: ROOT
        };
      });
    }
  };
}

const ENTRIES = [
  'bpmn-viewer',
  'bpmn-modeler',
  'dmn-editor',
  'form',
  'charts'
];

async function main() {
  const start = performance.now();

  // dist/ is owned by this build: start clean so no stale hashed assets remain
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });

  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ENTRIES.map(name => ({
      in: path.join(SRC, `${name}.js`),
      out: name
    })),
    outdir: OUT,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: [ 'es2020' ],
    minify: true,
    sourcemap: false,
    legalComments: 'linked',
    charset: 'utf8',
    metafile: true,
    logLevel: 'warning',
    define: {
      'process.env.NODE_ENV': '"production"'
    },
    loader: {
      '.woff': 'file',
      '.woff2': 'file',
      '.ttf': 'file',
      '.eot': 'file',
      '.svg': 'file',
      '.png': 'file'
    },
    assetNames: 'fonts/[name]-[hash]',
    plugins: [ bpmnlintConfigPlugin(BPMNLINT_CONFIG) ]
  });

  const ms = Math.round(performance.now() - start);

  const files = (await listFiles(OUT)).sort();
  for (const file of files) {
    const { size } = await stat(path.join(OUT, file));
    console.log(`  ${file.padEnd(44)} ${(size / 1024).toFixed(1).padStart(9)} KiB`);
  }

  console.log(`built ${ENTRIES.length} bundles into ${path.relative(ROOT, OUT)}/ in ${ms} ms`);

  if (process.argv.includes('--analyze')) {
    console.log(await esbuild.analyzeMetafile(result.metafile));
  }

  if (result.errors.length) {
    process.exitCode = 1;
  }
}

async function listFiles(dir, prefix = '') {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      out.push(...await listFiles(path.join(dir, entry.name), rel));
    } else {
      out.push(rel);
    }
  }
  return out;
}

main().catch(err => {

  // esbuild already printed the detailed diagnostics
  console.error(err.message);
  process.exit(1);
});
