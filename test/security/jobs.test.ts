/**
 * Issue 13, the jobs: each point reproduced against the rendered job scripts, run in a sandbox
 * that looks like the builder image (stub builders record argv and the config.json they see).
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderInstance } from '../../src/catalog/instantiate.js';
import { findComponent, type ComponentDefinition } from '../../src/catalog/registry.js';
import { COMPONENTS, shellFor } from '../helpers/cases.js';
import { REGISTRY_PASSWORD, instantiateComponent, jobEnvironment, jobScript, predefinedVariables } from '../helpers/job.js';
import { createSandbox, decodeAuths, type Sandbox } from '../helpers/sandbox.js';

const BASE64_CREDENTIALS = Buffer.from(`gitlab-ci-token:${REGISTRY_PASSWORD}`).toString('base64');
const TOOL: Record<string, string> = {
  buildah: 'buildah',
  'buildah-rootless': 'buildah',
  kaniko: 'executor',
  buildkit: 'buildctl-daemonless.sh',
  dind: 'docker',
};

let box: Sandbox | undefined;
afterEach(() => box?.dispose());

function run(component: string, inputs: Record<string, unknown> = {}, options: { before?: string; env?: Record<string, string> } = {}) {
  box = createSandbox();
  const { job } = instantiateComponent(component, inputs, 'classic');
  const script = [options.before ?? '', jobScript(job)].join('\n');
  const env = { ...jobEnvironment(job, predefinedVariables(box.projectDir)), ...options.env };
  const result = box.run(script, env, shellFor(component));
  return { result, box, output: result.stdout + result.stderr };
}

/** Every file in the sandbox that holds the password or the base64 credentials. */
function filesHoldingCredentials(sandbox: Sandbox): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && statSync(path).size < 1_000_000) {
        const text = readFileSync(path, 'latin1');
        if (text.includes(REGISTRY_PASSWORD) || text.includes(BASE64_CREDENTIALS)) found.push(path.slice(sandbox.root.length));
      }
    }
  };
  walk(sandbox.root);
  return found.filter((path) => !path.startsWith('/cigen-stub/'));
}

describe('13: a set -x in before_script (the same shell) prints no credential', () => {
  it.each(COMPONENTS)('%s: tracing is off while cigen runs, and said so', (component) => {
    const { result, output } = run(component, {}, { before: 'set -x' });
    expect(result.status, output).toBe(0);
    expect(output).not.toContain(REGISTRY_PASSWORD);
    expect(output).not.toContain(BASE64_CREDENTIALS);
    expect(result.stdout).toContain('cigen: shell tracing (set -x) is off while cigen runs: it would print registry credentials');
  });
});

describe('14: credentials go to a private config file the builder is pointed at, merged, removed at exit', () => {
  const OWN = {
    auths: { 'other.example.com': { auth: Buffer.from('someone:else').toString('base64') } },
    credHelpers: { '123.dkr.ecr.eu-west-1.amazonaws.com': 'ecr-login' },
    proxies: { default: { httpProxy: 'http://proxy.example.com:3128' } },
  };
  it.each([
    ['kaniko', '/kaniko/.docker/config.json'],
    ['buildkit', '/root/.docker/config.json'],
    ['dind', '/root/.docker/config.json'],
    ['buildah', '/root/.docker/config.json'],
  ])('%s: the job\u2019s own %s is kept as it was and merged; no credential is left in any file', (component, path) => {
    box = createSandbox();
    mkdirSync(box.path(path.replace(/\/[^/]+$/, '')), { recursive: true });
    writeFileSync(box.path(path), JSON.stringify(OWN));
    const { job } = instantiateComponent(component, {}, 'classic');
    const result = box.run(jobScript(job), jobEnvironment(job, predefinedVariables(box.projectDir)), shellFor(component));
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(JSON.parse(readFileSync(box.path(path), 'utf8'))).toEqual(OWN);
    const seen = box.calls(TOOL[component]).find((call) => call.config !== undefined)?.config;
    expect(seen?.['credHelpers']).toEqual(OWN.credHelpers);
    expect(seen?.['proxies']).toEqual(OWN.proxies);
    const decoded = decodeAuths(seen);
    expect(decoded['other.example.com']).toBe('someone:else');
    if (component !== 'dind') expect(decoded['registry.example.com']).toBe(`gitlab-ci-token:${REGISTRY_PASSWORD}`);
    expect(filesHoldingCredentials(box)).toEqual([]);
  });
});

describe('15: run-time variable values cannot steer a command line', () => {
  it('a tarball path from a branch name holding ",dest=..." is refused before buildctl sees it', () => {
    const { result, box: sandbox } = run(
      'buildkit',
      { push: false, tarball: 'out-$CI_COMMIT_REF_NAME.tar' },
      { env: { CI_COMMIT_REF_NAME: 'a,dest=/tmp/x' } },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^cigen: error: input tarball: '.*' holds a comma, a colon or a double quote/m);
    expect(sandbox.calls('buildctl-daemonless.sh')).toEqual([]);
  });

  it('a tarball path from a variable holding a colon is refused before the build, not after the push', () => {
    const { result, box: sandbox } = run('buildah', { tarball: 'out/$TARBALL_NAME.tar' }, { env: { TARBALL_NAME: 'img:v1' } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^cigen: error: input tarball: 'out\/img:v1\.tar' holds a comma, a colon or a double quote/m);
    expect(sandbox.calls('buildah')).toEqual([]);
  });

  it.each(COMPONENTS)('%s: an image from a variable holding --all is refused before any push', (component) => {
    const { result, box: sandbox } = run(component, { image: '$IMG' }, { env: { IMG: '--all' } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("input image: '--all' is not an image repository");
    expect(sandbox.calls(TOOL[component]).filter((call) => call.argv.includes('push'))).toEqual([]);
  });
});

describe('16: a malformed $DOCKER_AUTH_CONFIG fails the job with one line', () => {
  it.each([
    ['a bare word as a value', '{"auths": {"r.example.com": {"auth": bogus}}}'],
    ['text after the object', '{"auths": {}} trailing'],
    ['an unterminated string', '{"auths": {"r.example.com": {"auth": "x}}}'],
    ['a trailing comma', '{"auths": {"r.example.com": {"auth": "x"},}}'],
    ['not an object', '["auths"]'],
    ['an unknown escape', '{"auths": {"r\\q": {}}}'],
  ])('%s', (_name, value) => {
    for (const component of ['buildah', 'kaniko']) {
      const { result, box: sandbox } = run(component, {}, { env: { DOCKER_AUTH_CONFIG: value } });
      expect(result.status, result.stdout + result.stderr).toBe(1);
      expect(result.stderr.trimEnd().split('\n')).toEqual([
        // Not JSON text, or JSON that is no object (not read as a file's path either: no such file).
        expect.stringMatching(
          new RegExp(
            '^cigen: error: DOCKER_AUTH_CONFIG( auths)? is ' +
              '(not (valid JSON|a JSON object)|neither a JSON object nor the path of a file the job can read)',
          ),
        ),
      ]);
      expect(sandbox.calls(TOOL[component])).toEqual([]);
      sandbox.dispose();
    }
    box = undefined;
  });
});

describe('17: an array item with a line break YAML 1.1 reads (text interpolation)', () => {
  // GitLab has no regex for arrays, and its to_json (ActiveSupport) leaves NEL raw: pasted into the
  // YAML by text interpolation, it breaks the line for Psych (YAML 1.1), and what follows becomes YAML.
  const INJECTION = ['team=platform', 'a=x\u0085      extra: y'];
  const labelsVariable = (jobs: unknown) =>
    Object.values(jobs as Record<string, { variables: Record<string, object> }>)[0]?.variables['CIGEN_LABELS'];

  it('cigen render --mode text shows the job GitLab would parse, reshaped; classic interpolation keeps the item data', () => {
    const buildah = findComponent('buildah') as ComponentDefinition;
    const text = renderInstance(buildah, { labels: INJECTION }, 'text');
    expect(text.errors).toEqual([]);
    expect(Object.keys(labelsVariable(text.jobs) ?? {})).toEqual(['value', 'extra', 'expand']);
    const classic = renderInstance(buildah, { labels: INJECTION }, 'classic');
    expect(Object.keys(labelsVariable(classic.jobs) ?? {})).toEqual(['value', 'expand']);
  });

  it('LS and PS cannot: GitLab writes them as \\u2028 and \\u2029, and the YAML keeps its shape', () => {
    const buildah = findComponent('buildah') as ComponentDefinition;
    const text = renderInstance(buildah, { labels: ['a=x\u2028      extra: y', 'b=x\u2029      extra: y'] }, 'text');
    expect(text.errors).toEqual([]);
    expect(labelsVariable(text.jobs)).toEqual({
      value: 'list:["a=x\\u2028      extra: y","b=x\\u2029      extra: y"]',
      expand: false,
    });
  });

  it.each(COMPONENTS)('%s: an element that still holds one when the job runs is refused, raw or escaped', (component) => {
    for (const value of ['list:["A=\u2028B"]', 'list:["A=\\u2028B"]', 'list:["A=\u0085B"]']) {
      const { result } = run(component, {}, { env: { CIGEN_BUILD_ARGS: value } });
      expect(result.status, value).toBe(1);
      expect(result.stderr).toContain('input build-args: element 1 holds a line break that YAML 1.1 (GitLab) reads as one');
    }
  });
});

describe('18: array items holding <, > or & (text interpolation writes them as \\u003c, \\u003e, \\u0026)', () => {
  // GitLab's to_json is ActiveSupport's, with escape_html_entities_in_json on.
  const INPUTS = {
    labels: ['org.opencontainers.image.authors=Jane Doe <jane@example.com>'],
    'build-args': ['URL=https://example.com/?a=1&b=2'],
    registries: [{ host: 'harbor.example.com', user: 'robot', password: 'p&ss<w>rd' }],
  };
  // What GitLab writes into the job's variables, character for character.
  const GITLAB_WRITES = {
    CIGEN_LABELS: 'list:["org.opencontainers.image.authors=Jane Doe \\u003cjane@example.com\\u003e"]',
    CIGEN_BUILD_ARGS: 'list:["URL=https://example.com/?a=1\\u0026b=2"]',
    CIGEN_REGISTRIES: 'list:[{"host":"harbor.example.com","user":"robot","password":"p\\u0026ss\\u003cw\\u003erd"}]',
  };

  it.each([...COMPONENTS, 'buildah-native'])('%s: the job reads them as written, under its shell', (component) => {
    box = createSandbox();
    const { job } = instantiateComponent(component, INPUTS, 'text');
    // buildah-native's job runs once per architecture, in CIGEN_ARCH.
    const env = jobEnvironment(job, predefinedVariables(box.projectDir, { CIGEN_ARCH: 'amd64' }));
    expect(env).toMatchObject(GITLAB_WRITES);
    const result = box.run(jobScript(job), env, shellFor(component));
    expect(result.status, result.stdout + result.stderr).toBe(0);
    const calls = box.calls(TOOL[component.replace('-native', '')]);
    const argv = calls.flatMap((call) => call.argv);
    expect(
      argv.some((arg) => arg.endsWith('org.opencontainers.image.authors=Jane Doe <jane@example.com>')),
      argv.join(' '),
    ).toBe(true);
    expect(
      argv.some((arg) => arg.endsWith('URL=https://example.com/?a=1&b=2')),
      argv.join(' '),
    ).toBe(true);
    const config = calls.find((call) => call.config !== undefined)?.config;
    expect(decodeAuths(config)['harbor.example.com']).toBe('robot:p&ss<w>rd');
  });
});
