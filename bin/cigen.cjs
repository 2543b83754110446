#!/usr/bin/env node
'use strict';
// The cigen command. It runs the bundled CLI (dist/cli.cjs, built by `npm ci` / `npm run build`;
// `cigen lint ...`, lint the first argument, runs dist/lint.cjs, the same lint command without the
// rest of cigen, and `cigen build ...` dist/build.cjs, likewise) through V8's code cache, so that
// a run does not parse and compile a megabyte of JavaScript again: Node 22+ has this built in
// (module.enableCompileCache, for every module); on Node 20 cigen keeps the cache itself, for the
// bundle (what the bundle requires, such as dist/lint-catalog.cjs, dist/build-validate.cjs or a
// vendor bundle, Node compiles each time), one per command (each holds
// what that command compiles), keyed by Node version and bundle, written once a command has run
// twice; V8 itself refuses a cache that does not fit.
//
// A code cache is code: V8 checks only that it was made for a source of the same length, so a
// cache another user could write would run their code as whoever runs cigen (on a shell runner,
// with the job's token). Both caches live in a directory of the user's own in the OS temp
// directory, `cigen-cache-<uid>`, mode 0700; when that name is taken by anything else (another
// owner, other permissions, a symlink), cigen runs without a cache.
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');

const OWN_BUNDLES = { lint: 'lint.cjs', build: 'build.cjs' };
const bundleName = Object.hasOwn(OWN_BUNDLES, process.argv[2] ?? '') ? OWN_BUNDLES[process.argv[2]] : 'cli.cjs';
const bundle = path.join(__dirname, '..', 'dist', bundleName);
let stat;
try {
  stat = fs.statSync(bundle);
} catch {
  process.stderr.write(`cigen: dist/${bundleName} is missing; run \`npm run build\` (or \`npm ci\`) first\n`);
  process.exit(2);
}

/** The user's own cache directory, made if missing; undefined when it cannot be trusted. */
function privateCacheDir() {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const dir = path.join(os.tmpdir(), uid === undefined ? 'cigen-cache' : `cigen-cache-${uid}`);
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if (error.code !== 'EEXIST') return undefined;
  }
  try {
    const info = fs.lstatSync(dir);
    if (!info.isDirectory()) return undefined;
    if (uid !== undefined && (info.uid !== uid || (info.mode & 0o077) !== 0)) return undefined;
  } catch {
    return undefined;
  }
  return dir;
}

const dir = privateCacheDir();
if (dir === undefined) {
  require(bundle);
} else if (typeof Module.enableCompileCache === 'function') {
  Module.enableCompileCache(path.join(dir, 'node'));
  require(bundle);
} else {
  const command = /^[a-z][a-z-]{0,19}$/.test(process.argv[2] ?? '') ? process.argv[2] : 'other';
  const stamp = `${stat.size}-${Math.trunc(stat.mtimeMs)}`;
  const cacheFile = path.join(dir, `cigen-${process.version}-${stamp}-${command}.v8cache`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    // The cache is written by the second run without one: a command run once (in a fresh CI
    // container, say) does not pay for a cache nothing would read. The first run leaves a mark.
    const mark = `${cacheFile}.seen`;
    if (!fs.existsSync(mark)) {
      try {
        fs.writeFileSync(mark, '', { mode: 0o600 });
      } catch {
        // No writable cache directory: run without a cache.
      }
    } else {
      // Written at exit, so it holds the functions this run compiled; a failed write only costs speed.
      process.once('exit', () => {
        try {
          const temp = `${cacheFile}.${process.pid}`;
          fs.writeFileSync(temp, script.createCachedData(), { mode: 0o600, flag: 'wx' });
          fs.renameSync(temp, cacheFile);
          fs.rmSync(mark, { force: true });
          // Caches of this command for bundles that are gone (a rebuild, an upgrade).
          const prefix = `cigen-${process.version}-`;
          const suffix = `-${command}.v8cache`;
          for (const name of fs.readdirSync(dir))
            if (name.startsWith(prefix) && (name.endsWith(suffix) || name.endsWith(`${suffix}.seen`)) && !name.includes(`-${stamp}-`))
              fs.rmSync(path.join(dir, name), { force: true });
        } catch {
          // No writable cache directory: run without a cache.
        }
      });
    }
  }
  const module = new Module(bundle, null);
  module.filename = bundle;
  module.paths = Module._nodeModulePaths(path.dirname(bundle));
  script.runInThisContext()(module.exports, Module.createRequire(bundle), module, bundle, path.dirname(bundle));
}
