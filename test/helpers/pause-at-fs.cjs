/**
 * Preloaded into a cigen child (NODE_OPTIONS=--require): the fs.promises call that
 * CIGEN_TEST_PAUSE_AT names (`writeFile:2`: the second writeFile of a temporary `.tmp` file) says
 * `paused` on stderr and waits for a SIGINT or SIGTERM (CIGEN_TEST_PAUSE_SIGNALS of them, one by
 * default, saying `held` after each before the last), then goes through. A write caught at a chosen
 * step, for a test to signal: no timing, the step in flight when the signal comes. The calls
 * themselves are not changed (the seam file-modes.test.ts looks through).
 */
'use strict';
const fs = require('node:fs');
const { clearInterval, setInterval } = require('node:timers');

const [method, nth] = (process.env.CIGEN_TEST_PAUSE_AT ?? '').split(':');
const signals = Number(process.env.CIGEN_TEST_PAUSE_SIGNALS ?? '1');
const original = fs.promises[method];
let calls = 0;
if (typeof original !== 'function') throw new Error(`CIGEN_TEST_PAUSE_AT: no fs.promises.${method}`);
fs.promises[method] = async function paused(path, ...rest) {
  if (String(path).endsWith('.tmp') && ++calls === Number(nth)) {
    await new Promise((resolve) => {
      // Signal listeners do not keep Node running: this does, until the signals come.
      const alive = setInterval(() => undefined, 2 ** 30);
      let received = 0;
      const go = () => {
        if (++received < signals) return void fs.writeSync(2, 'held\n');
        clearInterval(alive);
        process.removeListener('SIGINT', go);
        process.removeListener('SIGTERM', go);
        resolve();
      };
      process.on('SIGINT', go);
      process.on('SIGTERM', go);
      fs.writeSync(2, 'paused\n');
    });
  }
  return original.call(this, path, ...rest);
};
