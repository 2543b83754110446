/**
 * The migration-bot component's `concurrency` input against `cigen bot --concurrency`: GitLab's
 * number inputs take no range (and `options` at most 50 values), so the input's description and
 * page must state the range the CLI enforces when the job runs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findComponent } from '../../src/catalog/registry.js';
import { cigen } from '../helpers/cli.js';

const RANGE = 'a whole number from 1 to 64';

describe('migration-bot concurrency', () => {
  it.each(['0', '65', '2.5'])('cigen bot refuses --concurrency %s, saying the range the input states', (value) => {
    const result = cigen(['bot', '--group', 'g', '--concurrency', value, '--gitlab-url', 'http://127.0.0.1:9'], {
      env: { GITLAB_TOKEN: 'x' },
    });
    expect(result.stderr).toContain(`--concurrency ${value}: expected ${RANGE}`);
    expect(result.status).toBe(2);
  });

  it('the input, its page and the template say the range, and that a value out of it stops the job when it runs', () => {
    const input = findComponent('migration-bot')?.inputs['concurrency'];
    expect(input?.type).toBe('number');
    expect(input?.description).toContain(`Projects each job handles at once: ${RANGE}.`);
    expect(input?.description).toContain('stops the job when it runs (`cigen bot` refuses it, exit 2)');
    expect(readFileSync('docs/components/migration-bot.md', 'utf8')).toContain(RANGE);
    expect(readFileSync('templates/migration-bot.yml', 'utf8')).toContain(RANGE);
  });
});
