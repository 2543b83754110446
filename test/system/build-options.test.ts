/**
 * secrets, ssh, reproducible and annotations, for the builders that cannot run here (Kaniko,
 * BuildKit, Docker, Buildah in rootless isolation): what each one's command line and environment
 * receive, recorded by stub executables in the sandbox, in both interpolation modes; what a
 * builder cannot do stops the job before any work, naming the input; and the commit time read
 * as SOURCE_DATE_EPOCH by the job's shell, checked against JavaScript's reading of the same time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import buildOptions from '../../components/_shared/build-options.sh.hbs';
import { INTERPOLATION_MODES, type InterpolationMode } from '../../src/ci/interpolation/index.js';
import { instantiateComponent, jobEnvironment, jobScript, predefinedVariables } from '../helpers/job.js';
import { createSandbox, type Sandbox, type StubCall } from '../helpers/sandbox.js';
import { SHELLS, runShell } from '../helpers/shells.js';

const P = '/builds/group/app';
const SECRET = 'tok-3x4mpl3-s3cr3t-value';
const EPOCH = String(Date.parse('2026-11-23T09:00:00+00:00') / 1000);

let sandbox: Sandbox | undefined;
afterEach(() => sandbox?.dispose());

function run(
  component: string,
  mode: InterpolationMode,
  inputs: Record<string, unknown>,
  env: Record<string, string> = {},
  options: { programs?: string[]; files?: Record<string, string> } = {},
) {
  sandbox = createSandbox({
    projectFiles: { Dockerfile: 'FROM scratch\n', ...options.files },
    ...(options.programs ? { programs: options.programs } : {}),
  });
  const { job } = instantiateComponent(component, inputs, mode);
  const result = sandbox.run(
    jobScript(job),
    { ...jobEnvironment(job, predefinedVariables(sandbox.projectDir, env)), ...env },
    component.startsWith('buildah') ? 'bash' : 'busybox',
  );
  expect(result.stdout + result.stderr).not.toContain(SECRET);
  const calls = sandbox
    .calls()
    .map((call: StubCall) => ({ ...call, argv: call.argv.map((a) => a.replace(/\/tmp\/tmp\.[A-Za-z0-9]+/g, '<tmp>')) }));
  return { ...result, calls, box: sandbox };
}

const SECRETS = { secrets: ['id=token,env=API_TOKEN', 'id=npmrc,src=$NPMRC'] };
const SECRETS_ENV = { API_TOKEN: SECRET, NPMRC: `${P}/.npmrc` };
const FILES = { '.npmrc': `//registry.example.com/:_authToken=${SECRET}\n` };
const ALL = { ...SECRETS, reproducible: true, annotations: ['org.opencontainers.image.description=The app, really'] };

describe.each(INTERPOLATION_MODES)('%s interpolation', (mode) => {
  it('buildah (rootless): --secret per item, --timestamp and SOURCE_DATE_EPOCH from the commit, --annotation', () => {
    const { status, stderr, calls } = run('buildah-rootless', mode, ALL, SECRETS_ENV, { files: FILES });
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const build = calls.find((c) => c.argv[0] === 'build')?.argv ?? [];
    expect(build).toEqual(
      expect.arrayContaining([
        `--build-arg=SOURCE_DATE_EPOCH=${EPOCH}`,
        `--timestamp=${EPOCH}`,
        '--annotation=org.opencontainers.image.description=The app, really',
        '--secret=id=token,env=API_TOKEN',
        `--secret=id=npmrc,src=${P}/.npmrc`,
      ]),
    );
    // The secret's variable reaches the builder's environment; its value is in no argument.
    expect(calls.find((c) => c.argv[0] === 'build')?.environment['API_TOKEN']).toBe(SECRET);
    expect(build.join(' ')).not.toContain(SECRET);
  });

  it('buildah (rootless) with an ssh key: an agent of its own for the build, --ssh=default, gone at exit with the key', () => {
    const key = mkdtempSync(join(tmpdir(), 'cigen-ssh-'));
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(key, 'id')]);
    const pem = readFileSync(join(key, 'id'), 'utf8');
    rmSync(key, { recursive: true, force: true });
    const { status, stderr, stdout, calls, box } = run(
      'buildah-rootless',
      mode,
      { ssh: '$DEPLOY_KEY' },
      { DEPLOY_KEY: pem },
      { programs: ['/usr/bin/ssh-agent', '/usr/bin/ssh-add'] },
    );
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain('cigen: ssh-agent started for the build with the key from input ssh');
    const build = calls.find((c) => c.argv[0] === 'build');
    expect(build?.argv).toContain('--ssh=default');
    expect(build?.environment['SSH_AUTH_SOCK']).toMatch(/^\/tmp\/tmp\.[A-Za-z0-9]+\/ssh\/agent\.sock$/);
    expect(stdout + stderr).not.toContain(pem.split('\n')[1]);
    // The agent was stopped and the scratch directory (key, socket) removed.
    expect(readdirSync(box.path('/tmp'))).toEqual([]);
    const agents = spawnSync('pgrep', ['-f', `ssh-agent -a ${box.root}`], { encoding: 'utf8' }).stdout.trim();
    expect(agents).toBe('');
  });

  it('a key file with Windows line ends and no last line break (as variable forms leave it): ssh-add takes it', () => {
    const key = mkdtempSync(join(tmpdir(), 'cigen-ssh-'));
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(key, 'id')]);
    const pem = readFileSync(join(key, 'id'), 'utf8');
    rmSync(key, { recursive: true, force: true });
    const windows = pem.trimEnd().replace(/\n/g, '\r\n');
    const { status, stderr, stdout } = run(
      'buildah',
      mode,
      { ssh: '$DEPLOY_KEY' },
      { DEPLOY_KEY: `${P}/deploy-key` },
      { programs: ['/usr/bin/ssh-agent', '/usr/bin/ssh-add'], files: { 'deploy-key': windows } },
    );
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain('cigen: ssh-agent started for the build with the key from input ssh');
  });

  it('kaniko: --reproducible with SOURCE_DATE_EPOCH as a build argument', () => {
    const { status, calls } = run('kaniko', mode, { reproducible: true });
    expect(status).toBe(0);
    expect(calls[0]?.argv).toEqual(expect.arrayContaining([`--build-arg=SOURCE_DATE_EPOCH=${EPOCH}`, '--reproducible']));
  });

  it('buildkit: --secret and --ssh default, SOURCE_DATE_EPOCH with rewrite-timestamp, annotations in the output, quoted', () => {
    const { status, stderr, calls } = run(
      'buildkit',
      mode,
      { ...ALL, ssh: 'true' },
      { ...SECRETS_ENV, SSH_AUTH_SOCK: '/dev/null' },
      { files: FILES },
    );
    // SSH_AUTH_SOCK must be a socket: /dev/null is not one.
    expect(status).toBe(1);
    expect(stderr.trim()).toBe("cigen: error: input ssh: true forwards the job's ssh-agent, but SSH_AUTH_SOCK names no socket");
    expect(calls).toEqual([]);
    const ok = run('buildkit', mode, ALL, SECRETS_ENV, { files: FILES });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const argv = ok.calls[0]?.argv ?? [];
    expect(argv[argv.indexOf('--output') + 1]).toBe(
      'type=image,"name=registry.example.com/group/app:01234567",push=true,' +
        '"annotation.org.opencontainers.image.description=The app, really",rewrite-timestamp=true',
    );
    const pairs = (flag: string) => argv.flatMap((a, i) => (a === flag ? [argv[i + 1]] : []));
    expect(pairs('--secret')).toEqual(['id=token,env=API_TOKEN', `id=npmrc,src=${P}/.npmrc`]);
    expect(pairs('--opt')).toContain(`build-arg:SOURCE_DATE_EPOCH=${EPOCH}`);
  });

  it('dind: --secret through the docker CLI session', () => {
    const { status, stderr, calls } = run('dind', mode, SECRETS, SECRETS_ENV, { files: FILES });
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(calls.find((c) => c.argv[0] === 'build')?.argv).toEqual(
      expect.arrayContaining(['--secret=id=token,env=API_TOKEN', `--secret=id=npmrc,src=${P}/.npmrc`]),
    );
  });

  it.each([
    ['kaniko', SECRETS, 'input secrets: not supported by the kaniko component (RUN --mount=type=secret); use buildah, buildkit or dind'],
    ['kaniko', { ssh: 'true' }, 'input ssh: Kaniko cannot forward SSH (RUN --mount=type=ssh); use buildah, buildkit or dind'],
    ['kaniko', { annotations: ['a=b'] }, 'input annotations: not supported by the kaniko component; use buildah or buildkit'],
    ['dind', { reproducible: true }, 'input reproducible: not supported by the dind component; use buildah, buildkit or kaniko'],
    ['dind', { annotations: ['a=b'] }, 'input annotations: not supported by the dind component; use buildah or buildkit'],
    [
      'buildah',
      { annotations: ['a=b'], format: 'docker' },
      'input annotations: the docker image format (format: docker) has no annotations, and buildah would drop them; use format: oci',
    ],
  ])('%s refuses %j before any work, naming the input', (component, inputs, message) => {
    const { status, stderr, calls } = run(component, mode, inputs, SECRETS_ENV, { files: FILES });
    expect(stderr.trim()).toBe(`cigen: error: ${message}`);
    expect(status).toBe(1);
    expect(calls).toEqual([]);
  });

  it.each([
    [{ secrets: ['token'] }, {}, 'input secrets: item 1 is not id=NAME,env=VARIABLE or id=NAME,src=FILE'],
    [{ secrets: ['id=a b,env=X'] }, { X: '1' }, "input secrets: item 1: the id 'a b' is not a name ([A-Za-z0-9._-])"],
    [{ secrets: ['id=t,env=NOT_SET'] }, {}, 'input secrets: id=t: the variable NOT_SET is not set in this job'],
    [{ secrets: ['id=t,env=X-Y'] }, {}, "input secrets: id=t: 'X-Y' is not a variable name"],
    [{ secrets: ['id=t,src=/nowhere'] }, {}, 'input secrets: id=t: no readable file at the src path (a file-type variable holds one)'],
    [{ secrets: ['id=t,env=X', 'id=t,env=X'] }, { X: '1' }, 'input secrets: the id t is given twice'],
    [
      { ssh: '$KEY' },
      { KEY: 'not a key' },
      'input ssh: neither true, a private key, nor a readable file (a file-type variable holds a path)',
    ],
    [{ annotations: ['=x'] }, {}, "input annotations: each item is KEY=VALUE; got '=x'"],
    [
      { reproducible: true },
      { CI_COMMIT_TIMESTAMP: 'yesterday' },
      "input reproducible: CI_COMMIT_TIMESTAMP 'yesterday' is not an ISO 8601 time, and SOURCE_DATE_EPOCH is not set",
    ],
    [{ reproducible: true }, { SOURCE_DATE_EPOCH: '-1' }, "input reproducible: SOURCE_DATE_EPOCH '-1' is not a number of seconds"],
  ])('refuses %j, naming the input', (inputs, env, message) => {
    const { status, stderr, calls } = run('buildkit', mode, inputs, env);
    expect(stderr.trim()).toBe(`cigen: error: ${message}`);
    expect(status).toBe(1);
    expect(calls).toEqual([]);
  });

  it("takes the job's own SOURCE_DATE_EPOCH over the commit time", () => {
    const { status, calls } = run('kaniko', mode, { reproducible: true }, { SOURCE_DATE_EPOCH: '1700000000' });
    expect(status).toBe(0);
    expect(calls[0]?.argv).toContain('--build-arg=SOURCE_DATE_EPOCH=1700000000');
  });
});

describe.each(SHELLS)('the commit time as SOURCE_DATE_EPOCH under $name', (shell) => {
  const partial = buildOptions({});
  // Only the function: the partial's top level needs the job's inputs.
  const epochFunction = partial.slice(partial.indexOf('cigen_epoch() {'), partial.indexOf("cigen_source_date_epoch=''"));

  it('reads every ISO 8601 form GitLab and git write as JavaScript does', () => {
    const time = fc
      .record({
        ms: fc.integer({ min: 0, max: 253402300799000 }),
        offset: fc.integer({ min: -14 * 60, max: 14 * 60 }),
        form: fc.constantFrom('Z', '+HH:MM', '+HHMM', 'frac'),
      })
      .map(({ ms, offset, form }) => {
        const local = new Date(ms + offset * 60000).toISOString().slice(0, 19);
        const sign = offset < 0 ? '-' : '+';
        const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
        const mm = String(Math.abs(offset) % 60).padStart(2, '0');
        const suffix =
          form === 'Z'
            ? 'Z'
            : form === '+HHMM'
              ? `${sign}${hh}${mm}`
              : form === 'frac'
                ? `.123456${sign}${hh}:${mm}`
                : `${sign}${hh}:${mm}`;
        return `${local}${suffix}`;
      })
      .filter((text) => !text.startsWith('1969') && !text.startsWith('0') && /^\d{4}/.test(text));
    fc.assert(
      fc.property(fc.array(time, { minLength: 50, maxLength: 50 }), (times) => {
        const loop = `for t in ${times.map((t) => `'${t}'`).join(' ')}; do cigen_epoch "$t" && printf '%s\\n' "$CIGEN_REPLY"; done`;
        const script = `${epochFunction}\n${loop}`;
        const result = runShell(shell, script);
        expect(result.stderr).toBe('');
        expect(result.stdout.trim().split('\n')).toEqual(times.map((t) => String(Math.floor(Date.parse(t) / 1000))));
      }),
      { numRuns: 10 },
    );
  });

  it.each(['2026-13-01T00:00:00Z', '2026-11-23', '2026-11-23T09:00:00', '2026-11-23T09:00:00+0', '2026-11-23T24:00:00Z', 'x'])(
    'refuses %s',
    (text) => {
      const result = runShell(shell, `${epochFunction}\nif cigen_epoch '${text}'; then echo read; else echo refused; fi`);
      expect(result.stdout.trim()).toBe('refused');
    },
  );
});
