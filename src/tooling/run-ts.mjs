// Runs a TypeScript entry (benchmarks, one-off tools) by bundling it with esbuild first, with
// .hbs files loaded as precompiled templates like everywhere else.
// Usage: node src/tooling/run-ts.mjs <entry.ts> [args...]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { handlebarsModule } from './hbs.mjs';

export const handlebarsPlugin = (resolveDir) => ({
  name: 'handlebars-precompile',
  setup(build) {
    build.onLoad({ filter: /\.hbs$/ }, (args) => ({
      contents: handlebarsModule(readFileSync(args.path, 'utf8')),
      loader: 'js',
      resolveDir,
    }));
  },
});

export async function importTs(entry) {
  const root = resolve(import.meta.dirname, '../..');
  const dir = mkdtempSync(join(root, 'node_modules', '.cigen-ts-'));
  try {
    const outfile = join(dir, 'entry.mjs');
    await esbuild.build({
      entryPoints: [resolve(entry)],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      plugins: [handlebarsPlugin(root)],
      logLevel: 'warning',
    });
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [entry] = process.argv.splice(2, 1);
  await importTs(entry);
}
