/**
 * Checks on input values that GitLab cannot express (array inputs have no regex) but the job
 * would refuse at run time: a tag that is not a tag, a build argument without a KEY. Items that
 * reference variables are checked by the job once they are expanded.
 */
import { TAG } from '../builders/tag.js';
import type { InterpolationMode } from '../ci/interpolation/index.js';
import { hasVariableReference as hasReference } from '../ci/variables.js';
import { REGISTRY_ITEM_CLASH } from '../builders/said.js';
import { rulePatternProblem } from '../builders/tag-rules.js';
import { GENERATED_BANNER } from './banner.js';
import { isRubyNumber, RubyFloat, rubyToS } from '../ci/interpolation/ruby.js';

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// The job's own grammar for registry hosts and mirror locations (registries.sh.hbs).
const HOST = /^[A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]+)?$/;
const LOCATION = /^[A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]+)?(\/[A-Za-z0-9._-]+)*$/;
const REGISTRY_KEYS = ['host', 'user', 'password'] as const;

function items(name: string, value: unknown, errors: string[]): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  value.forEach((item, index) => {
    // As GitLab writes the item into the job (a Float as Ruby writes it: `2.0`).
    if (typeof item === 'string' || isRubyNumber(item) || typeof item === 'boolean') out.push(rubyToS(item));
    else errors.push(`\`${name}\` input: item ${index + 1} is not a string`);
  });
  return out;
}

/** The array inputs a generated job reads as `list:$[[ inputs.NAME ]]` (cigen_list). */
export const LIST_INPUTS: ReadonlySet<string> = new Set([
  'annotations',
  'build-args',
  'build-jobs',
  'insecure-registries',
  'labels',
  'platforms',
  'registries',
  'registry-mirrors',
  'require',
  'secrets',
  'sources',
  'tag-rules',
  'tags',
]);

const holdsBackslash = (value: unknown): boolean =>
  typeof value === 'string'
    ? value.includes('\\')
    : value !== null &&
      typeof value === 'object' &&
      Object.entries(value).some(([key, item]) => key.includes('\\') || holdsBackslash(item));

/**
 * Under classic interpolation GitLab writes `list:$[[ inputs.NAME ]]` with Ruby's
 * `string.gsub(block, list.inspect)`: inspect doubles a backslash and gsub halves it again, so an
 * item of a backslash and an `n` arrives as the escape of a line break, and a backslash ending an
 * item escapes its closing quote. No decoding can tell them apart: such an item is refused. Text
 * interpolation (TextTemplate) writes the list's to_json in place of the block, backslashes
 * doubled, into a plain scalar: the job decodes each item as it was given.
 */
function checkListBackslashes(values: Readonly<Record<string, unknown>>, errors: string[]): void {
  for (const name of LIST_INPUTS) {
    const value = values[name];
    if (!Array.isArray(value)) continue;
    value.forEach((item: unknown, index) => {
      if (!holdsBackslash(item)) return;
      errors.push(
        `\`${name}\` input: item ${index + 1} holds a backslash, which GitLab's classic interpolation of ` +
          `list:$[[ inputs.${name} ]] (Ruby's gsub) halves, so the job would read another value; ` +
          'put the text in a CI/CD variable and write $NAME',
      );
    });
  }
}

/**
 * cigen's checks of a build component's input values. `mode` is GitLab's interpolation, when it
 * is known (render, instantiate); unknown (lint, migrate: an instance setting), it may be classic.
 */
export function checkBuildInputValues(values: Readonly<Record<string, unknown>>, mode?: InterpolationMode): string[] {
  const errors: string[] = [];
  if (mode !== 'text') checkListBackslashes(values, errors);
  const tags = items('tags', values['tags'], errors);
  const rules = items('tag-rules', values['tag-rules'], errors);
  // An empty item is left out by the job (it logs so), as one a variable empties: only a list of
  // nothing else has no tag to push.
  if (Array.isArray(values['tags']) && tags.every((tag) => tag === '') && rules.every((rule) => rule === ''))
    errors.push('`tags` input: give at least one tag, or tag-rules');
  // buildah-native's `parallel: matrix` over it: GitLab refuses a value that is not present?.
  if (Array.isArray(values['architectures']) && values['architectures'].length === 0)
    errors.push('`architectures` input: give at least one architecture (GitLab refuses an empty `parallel:matrix` value)');
  for (const rule of rules) {
    if (rule === '' || hasReference(rule)) continue;
    const problem = rulePatternProblem(rule);
    if (problem) errors.push(`\`tag-rules\` input: ${problem}`);
  }
  for (const tag of tags) {
    if (tag !== '' && !hasReference(tag) && !TAG.test(tag))
      errors.push(`\`tags\` input: ${JSON.stringify(tag)} is not a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-], at most 128 characters)`);
  }
  for (const arg of items('build-args', values['build-args'], errors)) {
    const key = arg.split('=', 1)[0] as string;
    if (!hasReference(key) && !VARIABLE_NAME.test(key))
      errors.push(`\`build-args\` input: ${JSON.stringify(arg)} is not KEY=VALUE with KEY a variable name`);
  }
  for (const label of items('labels', values['labels'], errors)) {
    if (!/^[^=]+=/.test(label)) errors.push(`\`labels\` input: ${JSON.stringify(label)} is not KEY=VALUE`);
  }
  // The job reads it as digits only (cigen_number), at most 100: anything else stops it at its start.
  // A whole Float (`2.0`) is written with its point (Float#to_s) into the job's variable.
  const retries = values['push-retries'];
  if (retries instanceof RubyFloat) {
    const whole = retries.valueOf();
    errors.push(
      `\`push-retries\` input: ${rubyToS(retries)} is a Float, which the job's variable holds as ${rubyToS(retries)}, ` +
        `not as digits: the job would stop at its start${whole >= 0 && whole <= 100 ? ` (write ${whole})` : ''}`,
    );
  } else if (typeof retries === 'number' && !(Number.isInteger(retries) && retries >= 0 && retries <= 100))
    errors.push(`\`push-retries\` input: ${rubyToS(retries)} is not a whole number from 0 to 100: the job would stop at its start`);
  checkRegistryValues(values, errors);
  return errors;
}

/**
 * A password that refers to no variable is in the pipeline file, readable by everyone who can read
 * the repository. `$$` is how a literal `$` is written (the job reads `$$x` as the text `$x`), so a
 * password of `$$` escapes only is written out too.
 */
const writtenOut = (password: string): string =>
  `the password is written out in the file${password.includes('$$') ? ' (`$$` is a literal `$`, no variable)' : ''}; ` +
  'put it in a masked CI/CD variable and give `$NAME`';

function checkRegistryValues(values: Readonly<Record<string, unknown>>, errors: string[]): void {
  for (const mirror of items('registry-mirrors', values['registry-mirrors'], errors)) {
    if (hasReference(mirror)) continue;
    const [from, to] = mirror.includes('=')
      ? [mirror.slice(0, mirror.indexOf('=')), mirror.slice(mirror.indexOf('=') + 1)]
      : ['docker.io', mirror];
    if (!HOST.test(from) || !LOCATION.test(to))
      errors.push(
        `\`registry-mirrors\` input: ${JSON.stringify(mirror)} is not REGISTRY=MIRROR[/path] or MIRROR[/path] (hosts as host[:port])`,
      );
  }
  for (const host of items('insecure-registries', values['insecure-registries'], errors)) {
    if (!hasReference(host) && !HOST.test(host))
      errors.push(`\`insecure-registries\` input: ${JSON.stringify(host)} is not a registry host (host or host:port)`);
  }
  const password = values['registry-password'];
  if (typeof password === 'string' && password !== '' && !hasReference(password))
    errors.push(`\`registry-password\` input: ${writtenOut(password)}`);
  const registries = values['registries'];
  if (!Array.isArray(registries)) return;
  // The job writes one entry for a host, the first given: the registry input's (when registry-user
  // is not empty; not given, it is $CI_REGISTRY_USER), then the items. Where the hosts are known to
  // be one (written out alike, or the same text), an item that would be left out is refused here as
  // the job refuses it.
  const registry = values['registry'];
  const registryHost = typeof registry === 'string' && registry !== '' && values['registry-user'] !== '' ? hostKey(registry) : undefined;
  const firstItem = new Map<string, number>();
  registries.forEach((item: unknown, index) => {
    const where = `\`registries\` input: item ${index + 1}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      errors.push(`${where} is not an object {host, user, password}`);
      return;
    }
    const entry = item as Record<string, unknown>;
    for (const key of Object.keys(entry)) {
      if (!(REGISTRY_KEYS as readonly string[]).includes(key))
        errors.push(`${where} has the key ${JSON.stringify(key)}: only host, user and password`);
    }
    for (const key of REGISTRY_KEYS) {
      const value = entry[key];
      if (value === undefined || value === null || value === '') errors.push(`${where} has no ${key}`);
      else if (typeof value !== 'string') errors.push(`${where}: ${key} is not a string`);
    }
    const { host, password } = entry;
    if (typeof host === 'string' && host !== '' && !hasReference(host) && !HOST.test(host))
      errors.push(`${where}: host ${JSON.stringify(host)} is not a registry host (host or host:port)`);
    else if (typeof host === 'string' && host !== '') {
      const id = hostKey(host);
      const first = firstItem.get(id);
      // The registry input's own credentials again are its entry already (the job writes them once).
      if (id === registryHost) {
        if (entry['user'] !== values['registry-user'] || password !== values['registry-password'])
          errors.push(`${where} (${host}): ${REGISTRY_ITEM_CLASH}`);
      } else if (first !== undefined)
        errors.push(
          `${where} (${host}) is for the host of item ${first} too, whose credentials would be used alone; give one item per host`,
        );
      else firstItem.set(id, index + 1);
    }
    if (typeof password === 'string' && password !== '' && !hasReference(password)) errors.push(`${where}: ${writtenOut(password)}`);
  });
}

/** Equal for two registry hosts the job reads as one: written out, as the job's auth file reads them
 *  (cigen_auth_id, auth.sh.hbs: Docker Hub is one host, however it is spelled); naming variables,
 *  the same text. */
const hostKey = (host: string): string =>
  !hasReference(host) && (host === 'index.docker.io' || host === 'registry-1.docker.io') ? 'docker.io' : host;

/** A component file `cigen build` wrote gets cigen's own checks of its values too. */
export const generatedValueChecks = (text: string): typeof checkBuildInputValues | undefined =>
  text.startsWith(GENERATED_BANNER) ? checkBuildInputValues : undefined;
