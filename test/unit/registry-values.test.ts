/**
 * The registry inputs' values that GitLab's spec cannot check (array items, objects) are checked
 * before the pipeline runs, with the job's own grammar: what `cigen render` and `cigen lint` say.
 */
import { describe, expect, it } from 'vitest';
import { findComponent } from '../../src/catalog/registry.js';
import { renderInstance } from '../../src/catalog/instantiate.js';
import { readdirSync, readFileSync } from 'node:fs';
import { checkBuildInputValues, LIST_INPUTS } from '../../src/catalog/values.js';
import { REGISTRY_ITEM_CLASH } from '../../src/builders/said.js';
import { hasVariableReference, variableNames } from '../../src/ci/variables.js';
import fc from 'fast-check';
import { runnerExpand } from '../helpers/job.js';
import { RubyFloat } from '../../src/ci/interpolation/ruby.js';
import { stringifyYaml } from '../../src/ci/yaml.js';
import { parseInputFlag } from '../../src/cli/commands/render.js';

describe('registry-mirrors and insecure-registries', () => {
  it.each([
    ['mirror.example.com'],
    ['mirror.example.com:5000/hub'],
    ['quay.io=harbor.example.com/quay'],
    ['registry.example.com:5000=10.0.0.1:5000/a/b'],
    ['$MIRROR'],
    ['quay.io=${HARBOR}/quay'],
  ])('accepts %s', (item) => {
    expect(checkBuildInputValues({ 'registry-mirrors': [item] })).toEqual([]);
  });

  it.each([['https://mirror.example.com'], ['mirror.example.com/'], ['quay.io='], ['=mirror'], ['mirror.example.com//hub'], ['quay io=m']])(
    'refuses %s, naming the form',
    (item) => {
      expect(checkBuildInputValues({ 'registry-mirrors': [item] })).toEqual([
        `\`registry-mirrors\` input: ${JSON.stringify(item)} is not REGISTRY=MIRROR[/path] or MIRROR[/path] (hosts as host[:port])`,
      ]);
    },
  );

  it('takes hosts only for insecure-registries', () => {
    expect(checkBuildInputValues({ 'insecure-registries': ['lab.example.com:5000', 'localhost', '$LAB'] })).toEqual([]);
    expect(checkBuildInputValues({ 'insecure-registries': ['lab.example.com/path', 'http://lab'] })).toEqual([
      '`insecure-registries` input: "lab.example.com/path" is not a registry host (host or host:port)',
      '`insecure-registries` input: "http://lab" is not a registry host (host or host:port)',
    ]);
  });
});

describe('registries', () => {
  it('accepts items with a host and variable references', () => {
    expect(checkBuildInputValues({ registries: [{ host: 'docker.io', user: 'ci', password: '$HUB_TOKEN' }] })).toEqual([]);
  });

  it('names each wrong item, key and value', () => {
    expect(
      checkBuildInputValues({
        registries: [
          'docker.io',
          { host: 'docker.io', user: 'ci' },
          { host: 'harbor.example.com/x', user: 'ci', password: '$T', token: '$X' },
          { host: 'docker.io', user: 7, password: '$T' },
        ],
      }),
    ).toEqual([
      '`registries` input: item 1 is not an object {host, user, password}',
      '`registries` input: item 2 has no password',
      '`registries` input: item 3 has the key "token": only host, user and password',
      '`registries` input: item 3: host "harbor.example.com/x" is not a registry host (host or host:port)',
      '`registries` input: item 4: user is not a string',
      '`registries` input: item 4 (docker.io) is for the host of item 2 too, whose credentials would be used alone; give one item per host',
    ]);
  });

  // The job's auth file holds one entry for a host, the first given: the registry input's (with a
  // registry-user), then the items'. The job refuses an item that would be left out; so does this
  // check, where the values say the hosts are one.
  it("refuses an item for the registry input's host, written out or as the same text, in the job's words", () => {
    const item = (host: string) => ({ host, user: 'deploy', password: '$DEPLOY_TOKEN' });
    const refused = (host: string) => [`\`registries\` input: item 1 (${host}): ${REGISTRY_ITEM_CLASH}`];
    expect(checkBuildInputValues({ registry: 'harbor.example.com', registries: [item('harbor.example.com')] })).toEqual(
      refused('harbor.example.com'),
    );
    expect(checkBuildInputValues({ registry: 'docker.io', registries: [item('index.docker.io')] })).toEqual(refused('index.docker.io'));
    expect(checkBuildInputValues({ registry: '$CI_REGISTRY', registries: [item('$CI_REGISTRY')] })).toEqual(refused('$CI_REGISTRY'));
    // registry-user empty: the registry input gives no credentials, the item's are used
    expect(
      checkBuildInputValues({ registry: 'harbor.example.com', 'registry-user': '', registries: [item('harbor.example.com')] }),
    ).toEqual([]);
    // hosts that may differ once expanded are the job's to compare; so is the registry input's default
    expect(checkBuildInputValues({ registry: '$CI_REGISTRY', registries: [item('$DEPLOY_HOST'), item('registry.example.com')] })).toEqual(
      [],
    );
    expect(checkBuildInputValues({ registries: [item('registry.example.com')] })).toEqual([]);
    // The registry input's own credentials again (what migrate writes for a config.json naming the host): its entry already.
    const own = { host: '$CI_REGISTRY', user: '$CI_REGISTRY_USER', password: '$CI_REGISTRY_PASSWORD' };
    expect(
      checkBuildInputValues({
        registry: '$CI_REGISTRY',
        'registry-user': '$CI_REGISTRY_USER',
        'registry-password': '$CI_REGISTRY_PASSWORD',
        registries: [own],
      }),
    ).toEqual([]);
  });

  it('refuses two items for one host, however Docker Hub is spelled', () => {
    const item = (host: string) => ({ host, user: 'ci', password: '$T' });
    expect(
      checkBuildInputValues({ registries: [item('docker.io'), item('quay.io'), item('registry-1.docker.io'), item('$H'), item('$H')] }),
    ).toEqual([
      '`registries` input: item 3 (registry-1.docker.io) is for the host of item 1 too, whose credentials would be used alone; give one item per host',
      '`registries` input: item 5 ($H) is for the host of item 4 too, whose credentials would be used alone; give one item per host',
    ]);
  });

  it("is what cigen render refuses with the registry input's default, $CI_REGISTRY", () => {
    const buildah = findComponent('buildah');
    if (!buildah) throw new Error('no buildah component');
    const rendered = renderInstance(buildah, { registries: [{ host: '$CI_REGISTRY', user: 'deploy', password: '$DEPLOY_TOKEN' }] }, 'text');
    expect(rendered.errors).toEqual([`\`registries\` input: item 1 ($CI_REGISTRY): ${REGISTRY_ITEM_CLASH}`]);
  });

  it('refuses a password written out in the pipeline file', () => {
    expect(checkBuildInputValues({ registries: [{ host: 'docker.io', user: 'ci', password: 'hunter2' }] })).toEqual([
      '`registries` input: item 1: the password is written out in the file; put it in a masked CI/CD variable and give `$NAME`',
    ]);
  });

  it('is what cigen render refuses, before anything runs', () => {
    const buildah = findComponent('buildah');
    if (!buildah) throw new Error('no buildah component');
    const rendered = renderInstance(buildah, { registries: [{ host: 'docker.io', user: 'ci', password: 'hunter2' }] }, 'classic');
    expect(rendered.text).toBeUndefined();
    expect(rendered.errors).toEqual([
      '`registries` input: item 1: the password is written out in the file; put it in a masked CI/CD variable and give `$NAME`',
    ]);
  });
});

describe('registry-password', () => {
  // docs/registries.md: a password written out in the file is refused by cigen lint and cigen render.
  it('takes a variable reference or nothing, and refuses the secret itself', () => {
    for (const password of ['$CI_REGISTRY_PASSWORD', '${DEPLOY_TOKEN}', 'prefix-$TOKEN', ''])
      expect(checkBuildInputValues({ 'registry-password': password })).toEqual([]);
    expect(checkBuildInputValues({ 'registry-password': 'glpat-SECRET' })).toEqual([
      '`registry-password` input: the password is written out in the file; put it in a masked CI/CD variable and give `$NAME`',
    ]);
  });

  it('is refused by cigen render for every component that takes it', () => {
    for (const name of ['buildah', 'kaniko', 'buildkit', 'dind', 'promote', 'manifest', 'sign']) {
      const component = findComponent(name);
      if (!component) throw new Error(`no ${name} component`);
      const rendered = renderInstance(component, { 'registry-password': 'glpat-SECRET' }, 'text');
      expect(rendered.errors, name).toEqual([
        '`registry-password` input: the password is written out in the file; put it in a masked CI/CD variable and give `$NAME`',
      ]);
    }
  });
});

describe('a password written with `$$` (a literal `$`) and no variable', () => {
  // docs/registries.md teaches `$$` for a literal `$`: such a password is the secret itself, in the file.
  const escaped =
    '`registry-password` input: the password is written out in the file (`$$` is a literal `$`, no variable); ' +
    'put it in a masked CI/CD variable and give `$NAME`';

  it('is refused as a written-out password, registry-password and registries alike', () => {
    for (const password of ['$$s3cretPassw0rd', 'pa$$word', '$$HUB_TOKEN', '$${HUB_TOKEN}', '$$$$x'])
      expect(checkBuildInputValues({ 'registry-password': password }), password).toEqual([escaped]);
    expect(checkBuildInputValues({ registries: [{ host: 'docker.io', user: 'hubuser', password: '$$hubS3cret' }] })).toEqual([
      '`registries` input: item 1: the password is written out in the file (`$$` is a literal `$`, no variable); ' +
        'put it in a masked CI/CD variable and give `$NAME`',
    ]);
  });

  it('is taken when a real reference stands beside the `$$`', () => {
    for (const password of ['$$$TOKEN', '${TOKEN}$$', 'a$$b$TOKEN', '$$${TOKEN}'])
      expect(checkBuildInputValues({ 'registry-password': password }), password).toEqual([]);
    expect(checkBuildInputValues({ registries: [{ host: 'docker.io', user: 'robot$$team', password: '$$$HUB_TOKEN' }] })).toEqual([]);
  });

  it('is the one rule of every check: a tag, host or build-arg key of `$$` escapes only is text, checked as the job reads it', () => {
    expect(checkBuildInputValues({ tags: ['$$v1'], 'insecure-registries': ['$$LAB'], 'build-args': ['$$A=1'] })).toEqual([
      '`tags` input: "$$v1" is not a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-], at most 128 characters)',
      '`build-args` input: "$$A=1" is not KEY=VALUE with KEY a variable name',
      '`insecure-registries` input: "$$LAB" is not a registry host (host or host:port)',
    ]);
    expect(checkBuildInputValues({ tags: ['$$$V'], 'insecure-registries': ['$$$LAB'], 'build-args': ['$$$A=1'] })).toEqual([]);
  });

  it('is what cigen render refuses', () => {
    const buildah = findComponent('buildah');
    if (!buildah) throw new Error('no buildah component');
    const rendered = renderInstance(buildah, { 'registry-password': '$$s3cretPassw0rd' }, 'text');
    expect(rendered.text).toBeUndefined();
    expect(rendered.errors).toEqual([escaped]);
  });
});

describe('hasVariableReference: `$NAME` and `${NAME}` as the job expands them (cigen_expand), `$$` a literal `$`', () => {
  it.each([
    ['$X', true],
    ['${X}', true],
    ['a$X', true],
    ['$$$X', true],
    ['$$${X}', true],
    ['$$X$Y', true],
    ['$$X', false],
    ['$${X}', false],
    ['$$$$X', false],
    ['a$$', false],
    ['${X', false],
    ['${1}', false],
    ['$1', false],
    ['$(cmd)', false],
    ['plain', false],
  ])('%s: %s', (text, expected) => {
    expect(hasVariableReference(text)).toBe(expected);
  });

  it('is true exactly when the expansion reads a variable (runnerExpand, which test/system/shell-library checks cigen_expand against)', () => {
    // Every name reads as a marker no text holds: the text refers to a variable when the marker comes out.
    const marked = new Proxy({}, { get: () => '\u0000' }) as Record<string, string>;
    fc.assert(
      fc.property(fc.array(fc.constantFrom('$', '$$', '{', '}', 'VAR', '_1', '1', '-', 'a', ' '), { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        expect(hasVariableReference(text), text).toBe(runnerExpand(text, marked).includes('\u0000'));
      }),
      { numRuns: 500 },
    );
  });

  it('variableNames names exactly the variables the expansion reads (`$$X` none)', () => {
    expect(variableNames('$$X ${Y} $$$Z $Y')).toEqual(['Y', 'Z']);
    fc.assert(
      fc.property(fc.array(fc.constantFrom('$', '$$', '{', '}', 'VAR', '_1', '1', '-', 'a', ' '), { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        const read = new Set<string>();
        const recording = new Proxy({}, { get: (_target, name) => (read.add(String(name)), '') }) as Record<string, string>;
        runnerExpand(text, recording);
        expect(new Set(variableNames(text)), text).toEqual(read);
      }),
      { numRuns: 500 },
    );
  });
});

describe('backslashes in list inputs', () => {
  const refusal = (name: string, item: number) =>
    `\`${name}\` input: item ${item} holds a backslash, which GitLab's classic interpolation of list:$[[ inputs.${name} ]] ` +
    "(Ruby's gsub) halves, so the job would read another value; put the text in a CI/CD variable and write $NAME";

  it('names every array input the templates write as list:$[[ inputs.NAME ]]', () => {
    const used = new Set<string>();
    for (const file of readdirSync('templates').filter((name) => name.endsWith('.yml')))
      for (const match of readFileSync(`templates/${file}`, 'utf8').matchAll(/list:\$\[\[ inputs\.([a-z-]+) \]\]/g))
        used.add(match[1] as string);
    expect([...used].sort()).toEqual([...LIST_INPUTS].sort());
  });

  it('refuses an item holding a backslash, in a string or an object, and takes $NAME', () => {
    expect(checkBuildInputValues({ 'build-args': ['A=1', 'B=C:\\dir', 'C=$WIN_PATH'], labels: ['x=a\\nb'] })).toEqual([
      refusal('build-args', 2),
      refusal('labels', 1),
    ]);
    expect(checkBuildInputValues({ registries: [{ host: 'docker.io', user: 'dom\\ci', password: '$T' }] })).toEqual([
      refusal('registries', 1),
    ]);
  });

  it('is what cigen render refuses: GitLab would hand the job list:["A=x\\y"], an escape it cannot read back', () => {
    const buildah = findComponent('buildah');
    if (!buildah) throw new Error('no buildah component');
    const rendered = renderInstance(buildah, { 'build-args': ['A=x\\y', 'B=1\\n2'] }, 'classic');
    expect(rendered.text).toBeUndefined();
    expect(rendered.errors).toEqual([refusal('build-args', 1), refusal('build-args', 2)]);
  });
});

describe('backslashes in list inputs under text interpolation', () => {
  it('are taken: GitLab writes the list as JSON (to_json) into a plain scalar, and the job decodes each item as given', () => {
    const buildah = findComponent('buildah');
    if (!buildah) throw new Error('no buildah component');
    const rendered = renderInstance(buildah, { 'build-args': ['A=x\\y', 'B=1\\n2', 'C=end\\'] }, 'text');
    expect(rendered.errors).toEqual([]);
    expect(rendered.text).toContain('value: list:["A=x\\\\y","B=1\\\\n2","C=end\\\\"]\n');
    expect(checkBuildInputValues({ 'build-args': ['A=x\\y'] }, 'text')).toEqual([]);
    expect(checkBuildInputValues({ 'build-args': ['A=x\\y'] }, 'classic')).toHaveLength(1);
  });
});

describe('push-retries', () => {
  it('refuses a whole Float (`2.0`): GitLab writes it `2.0` into the variable the job reads as digits', () => {
    expect(checkBuildInputValues({ 'push-retries': new RubyFloat(2) })).toEqual([
      "`push-retries` input: 2.0 is a Float, which the job's variable holds as 2.0, not as digits: the job would stop at its start (write 2)",
    ]);
    expect(checkBuildInputValues({ 'push-retries': new RubyFloat(1e16) })).toEqual([
      "`push-retries` input: 1.0e+16 is a Float, which the job's variable holds as 1.0e+16, not as digits: the job would stop at its start",
    ]);
    // cigen render reads `-i push-retries=2.0` as GitLab reads it, a Float.
    expect(parseInputFlag('push-retries=2.0')).toEqual(['push-retries', new RubyFloat(2)]);
    expect(parseInputFlag('push-retries=2')).toEqual(['push-retries', 2]);
    const buildah = findComponent('buildah');
    if (!buildah) throw new Error('no buildah');
    for (const mode of ['classic', 'text'] as const)
      expect(renderInstance(buildah, { tags: ['v1'], 'push-retries': parseInputFlag('push-retries=2.0')[1] }, mode).errors).toHaveLength(1);
  });
  it('cigen render writes a whole Float as one (`parallel: 2.0`), as GitLab would hold it', () => {
    const bot = findComponent('migration-bot');
    if (!bot) throw new Error('no migration-bot');
    const rendered = renderInstance(bot, { parallel: new RubyFloat(2) }, 'classic');
    expect(rendered.errors).toEqual([]);
    expect(rendered.text).toContain('\n  parallel: 2.0\n');
    expect(stringifyYaml({ a: new RubyFloat(2), b: [new RubyFloat(1e16)] })).toBe('a: 2.0\nb:\n  - 10000000000000000.0\n');
  });
  it('takes what the job reads (digits, at most 100) and refuses a fraction, a sign or more, as the job would at its start', () => {
    for (const retries of [0, 3, 100]) expect(checkBuildInputValues({ 'push-retries': retries })).toEqual([]);
    for (const retries of [2.5, -1, 101])
      expect(checkBuildInputValues({ 'push-retries': retries })).toEqual([
        `\`push-retries\` input: ${retries} is not a whole number from 0 to 100: the job would stop at its start`,
      ]);
  });
});
