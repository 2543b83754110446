#!/usr/bin/env node
'use strict';
// The cigen command. It runs the bundled CLI (dist/cli.cjs, built by `npm ci` / `npm run build`)
// through V8's code cache, so that a run does not parse and compile ~800 KB of JavaScript again:
// Node 22+ has this built in (module.enableCompileCache); on Node 20 cigen keeps the cache itself,
// in the OS temp directory, one per command (each holds what that command compiles), keyed by
// Node version and bundle; V8 itself refuses a cache that does not fit.
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');

const bundle = path.join(__dirname, '..', 'dist', 'cli.cjs');
let stat;
try {
  stat = fs.statSync(bundle);
} catch {
  process.stderr.write('cigen: dist/cli.cjs is missing; run `npm run build` (or `npm ci`) first\n');
  process.exit(2);
}

if (typeof Module.enableCompileCache === 'function') {
  Module.enableCompileCache();
  require(bundle);
} else {
  const command = /^[a-z][a-z-]{0,19}$/.test(process.argv[2] ?? '') ? process.argv[2] : 'other';
  const cacheFile = path.join(os.tmpdir(), `cigen-${process.version}-${stat.size}-${Math.trunc(stat.mtimeMs)}-${command}.v8cache`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    // Written at exit, so it holds the functions this run compiled; a failed write only costs speed.
    process.once('exit', () => {
      try {
        const temp = `${cacheFile}.${process.pid}`;
        fs.writeFileSync(temp, script.createCachedData());
        fs.renameSync(temp, cacheFile);
      } catch {
        // No writable temp directory: run without a cache.
      }
    });
  }
  const module = new Module(bundle, null);
  module.filename = bundle;
  module.paths = Module._nodeModulePaths(path.dirname(bundle));
  script.runInThisContext()(module.exports, Module.createRequire(bundle), module, bundle, path.dirname(bundle));
}
