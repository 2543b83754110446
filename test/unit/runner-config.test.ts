/**
 * `cigen runner-config`: every snippet parses as what it claims to be (config.toml with
 * smol-toml; Helm values.yml with yaml, then the TOML in `runners.config`, then each pod_spec
 * patch as JSON or YAML), and holds the settings the builder needs on that executor.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { runRunnerConfig } from '../../src/cli/commands/runner-config.js';
import { BUILDER_IDS as VERDICT_BUILDERS, builderById, type BuilderId as BuilderName } from '../../src/builders/index.js';
import { RUNNER_EXECUTORS, runnerConfig, runnerConfigProblem, type RunnerExecutor } from '../../src/runner/config.js';
import { InputError, UsageError } from '../../src/errors.js';

type Table = Record<string, any>;

/** The one [[runners]] entry of a config.toml. */
function dockerRunner(text: string): Table {
  const config = parseToml(text);
  expect(config['runners']).toHaveLength(1);
  return (config['runners'] as Table[])[0] as Table;
}

/** The one [[runners]] entry of the TOML a Helm values.yml holds in runners.config. */
function helmRunner(text: string): Table {
  const values = parseYaml(text) as Table;
  expect(Object.keys(values)).toEqual(['runners']);
  expect(typeof values['runners']['config']).toBe('string');
  return dockerRunner(values['runners']['config'] as string);
}

interface PodSpecPatch {
  name?: string;
  patch_type: 'json' | 'strategic' | 'merge';
  patch: unknown;
}

function patches(runner: Table): PodSpecPatch[] {
  return ((runner['kubernetes']['pod_spec'] ?? []) as Table[]).map((entry) => ({
    ...entry,
    patch_type: entry['patch_type'],
    patch: entry['patch_type'] === 'json' ? JSON.parse(entry['patch'] as string) : parseYaml(entry['patch'] as string),
  }));
}

const emptyDirs = (runner: Table): string[] =>
  ((runner['kubernetes']['volumes']?.['empty_dir'] ?? []) as Table[]).map((volume) => volume['mount_path'] as string);

describe('Docker executor: config.toml', () => {
  it.each(['buildah', 'buildkit'] as const)(
    '%s: seccomp and AppArmor unconfined, not privileged; custom profiles named as the cleaner way',
    (builder) => {
      const config = runnerConfig(builder, 'docker');
      expect(config.format).toBe('toml');
      const runner = dockerRunner(config.text);
      expect(runner['executor']).toBe('docker');
      expect(runner['docker']).toEqual({ privileged: false, security_opt: ['seccomp=unconfined', 'apparmor=unconfined'] });
      expect(config.text).toMatch(/^ *# .*cleaner way is custom profiles/m);
    },
  );

  it('kaniko: nothing special, and says so, but for a runner that forces a non-root user', () => {
    const config = runnerConfig('kaniko', 'docker');
    expect(dockerRunner(config.text)['docker']).toEqual({ privileged: false });
    expect(config.text).toContain('kaniko needs nothing special');
    expect(config.text).toContain('leave user out of\n# [runners.docker]');
    expect(config.notes.join(' ')).toContain('works as it is, shared runners included, unless it forces a non-root user');
    expect(config.notes.join(' ')).toContain('kaniko must run as root (uid 0) in its container');
    expect(config.notes.join(' ')).toContain("the Docker executor's user in [runners.docker]");
  });

  it('dind: privileged = true under a loud UNSAFE comment, the TLS certificates volume', () => {
    const config = runnerConfig('dind', 'docker');
    expect(dockerRunner(config.text)['docker']).toEqual({ privileged: true, volumes: ['/certs/client', '/cache'] });
    expect(config.text).toMatch(
      /# UNSAFE: privileged = true gives every job on this runner root on the host[^\n]*\n(?: +#[^\n]*\n)* +privileged = true/,
    );
    expect(config.notes[0]).toMatch(/^UNSAFE/);
  });

  it('buildah-rootless: impossible, with the reason (GitLab Runner issue 36810)', () => {
    expect(runnerConfigProblem('buildah-rootless', 'docker')).toMatch(/systempaths=unconfined.*GitLab Runner issue 36810/);
    expect(() => runnerConfig('buildah-rootless', 'docker')).toThrow(/GitLab Runner issue 36810/);
  });
});

describe('Kubernetes executor: Helm values.yml', () => {
  it('buildah-rootless: hostUsers false, procMount Unmasked + a Localhost seccomp profile, storage volumes, the feature flag', () => {
    const config = runnerConfig('buildah-rootless', 'kubernetes');
    expect(config.format).toBe('yaml');
    const runner = helmRunner(config.text);
    expect(runner['environment']).toEqual(['FF_USE_ADVANCED_POD_SPEC_CONFIGURATION=true']);
    expect(runner['builds_dir']).toBe('/tmp/builds');
    expect(runner['kubernetes']).toMatchObject({
      privileged: false,
      // GitLab Runner's key (common/config.go, toml:"allow_privilege_escalation"): it drops an
      // unknown key such as allowPrivilegeEscalation without a word.
      allow_privilege_escalation: false,
      logs_base_dir: '/tmp',
      scripts_base_dir: '/tmp',
      namespace: '{{ default .Release.Namespace .Values.runners.jobNamespace }}',
    });
    expect(runner['kubernetes']).not.toHaveProperty('allowPrivilegeEscalation');
    expect(patches(runner)).toEqual([
      { name: 'hostUsers', patch_type: 'json', patch: [{ op: 'add', path: '/hostUsers', value: false }] },
      {
        name: 'build-security-context',
        patch_type: 'strategic',
        patch: {
          containers: [
            {
              name: 'build',
              securityContext: { procMount: 'Unmasked', seccompProfile: { type: 'Localhost', localhostProfile: '<profile-name>.json' } },
            },
          ],
        },
      },
    ]);
    expect(emptyDirs(runner)).toEqual(['/var/lib/containers', '/home/build/.local/share/containers']);
    expect(config.notes.join(' ')).toMatch(/Kubernetes 1\.33\+.*Linux 6\.3\+.*containerd 2\.0\+/);
    // Kubernetes 1.33 turned user namespaces on by default (beta); they became stable (GA) in 1.36.
    expect(config.notes.join(' ')).toContain('Kubernetes 1.33+ (user namespaces on by default there, beta; stable since 1.36)');
    expect(config.notes.join(' ')).not.toMatch(/\bGA\b/);
  });

  it('buildah: the seccomp patch and storage volumes, no user namespace or /proc changes', () => {
    const runner = helmRunner(runnerConfig('buildah', 'kubernetes').text);
    expect(runner['environment']).toEqual(['FF_USE_ADVANCED_POD_SPEC_CONFIGURATION=true']);
    expect(runner['kubernetes']['privileged']).toBe(false);
    expect(patches(runner)).toEqual([
      {
        name: 'build-security-context',
        patch_type: 'strategic',
        patch: {
          containers: [
            { name: 'build', securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: '<profile-name>.json' } } },
          ],
        },
      },
    ]);
    expect(emptyDirs(runner)).toEqual(['/var/lib/containers', '/home/build/.local/share/containers']);
  });

  it('buildkit: the seccomp patch and a volume for its state', () => {
    const runner = helmRunner(runnerConfig('buildkit', 'kubernetes').text);
    expect(patches(runner).map((p) => p.patch)).toEqual([
      {
        containers: [
          { name: 'build', securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: '<profile-name>.json' } } },
        ],
      },
    ]);
    expect(emptyDirs(runner)).toEqual(['/home/user/.local/share/buildkit']);
  });

  it('kaniko: nothing special, and says so', () => {
    const config = runnerConfig('kaniko', 'kubernetes');
    const runner = helmRunner(config.text);
    expect(runner['kubernetes']).toEqual({
      namespace: '{{ default .Release.Namespace .Values.runners.jobNamespace }}',
      image: 'alpine',
      privileged: false,
    });
    expect(config.text).toContain('kaniko needs nothing special');
    expect(config.text).toContain('leave run_as_user and run_as_non_root out of its security contexts');
    expect(config.notes.join(' ')).toContain('any Kubernetes runner works as it is, unless it forces a non-root user');
    expect(config.notes.join(' ')).toContain('run_as_user, or run_as_non_root = true, in [runners.kubernetes.pod_security_context]');
  });

  it('dind: privileged, UNSAFE, the certificates on an in-memory volume', () => {
    const config = runnerConfig('dind', 'kubernetes');
    const runner = helmRunner(config.text);
    expect(runner['kubernetes']['privileged']).toBe(true);
    expect(runner['kubernetes']['volumes']['empty_dir']).toEqual([{ name: 'docker-certs', mount_path: '/certs/client', medium: 'Memory' }]);
    expect(config.text).toContain('# UNSAFE: privileged = true');
  });
});

describe('every combination', () => {
  for (const executor of RUNNER_EXECUTORS) {
    for (const builder of VERDICT_BUILDERS) {
      const problem = runnerConfigProblem(builder, executor);
      it(`${builder} on ${executor}: ${problem ? 'refused' : 'parses, names itself, privileged only for dind'}`, () => {
        if (problem) {
          expect(builder === 'buildah-rootless' && executor === 'docker').toBe(true);
          return;
        }
        const config = runnerConfig(builder, executor);
        expect(config.text).toMatch(new RegExp(`^# cigen runner-config --builder ${builder} --executor ${executor}\n`));
        const runner = executor === 'docker' ? dockerRunner(config.text) : helmRunner(config.text);
        expect(runner[executor]['privileged']).toBe(builder === 'dind');
        expect(config.notes.length).toBeGreaterThan(0);
      });
    }
  }
});

describe('cigen runner-config', () => {
  function capture(): () => string {
    let output = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output += String(chunk);
      return true;
    });
    return () => output;
  }
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each([
    ['buildah', 'docker'],
    ['dind', 'docker'],
    ['buildah-rootless', 'kubernetes'],
    ['kaniko', 'kubernetes'],
  ] as [BuilderName, RunnerExecutor][])('%s on %s: the snippet, then the notes as comments, still valid to paste', (builder, executor) => {
    const output = capture();
    runRunnerConfig({ builder, executor });
    const config = runnerConfig(builder, executor);
    expect(output().startsWith(config.text)).toBe(true);
    for (const note of config.notes) expect(output()).toContain(`# note: ${note}`);
    const runner = executor === 'docker' ? dockerRunner(output()) : helmRunner(output());
    expect(runner[executor]['privileged']).toBe(builder === 'dind');
  });

  it('an unknown builder or executor is a usage error naming the valid ones', () => {
    expect(() => runRunnerConfig({ builder: 'podman', executor: 'docker' })).toThrow(
      new UsageError('--builder podman: unknown builder; one of buildah, buildah-rootless, kaniko, buildkit, dind'),
    );
    expect(() => runRunnerConfig({ builder: 'podman', executor: 'docker' })).toThrow(UsageError);
    expect(() => runRunnerConfig({ builder: 'buildah', executor: 'shell' })).toThrow(UsageError);
    // What the host needs is what the job's image held: buildah's namespaces are not kaniko's needs.
    expect(() => runRunnerConfig({ builder: 'buildah', executor: 'shell' })).toThrow(
      /nothing in config\.toml applies; the host itself needs buildah, unprivileged user namespaces and mounts\)$/,
    );
    // A builder the doctor calls impossible on a shell executor is said to be impossible there, in the doctor's words.
    for (const builder of ['kaniko', 'buildkit', 'dind'] as const) {
      const impossible = builderById(builder).runner.impossibleOn?.shell as string;
      expect(impossible).toMatch(/^not possible on a shell executor: /);
      expect(() => runRunnerConfig({ builder, executor: 'shell' })).toThrow(
        new UsageError(
          `--executor shell: runner-config writes settings for docker, kubernetes only (a shell executor: nothing in config.toml applies, ` +
            `and ${builder} is ${impossible})`,
        ),
      );
    }
    expect(() => runRunnerConfig({ builder: 'buildah', executor: 'virtualbox' })).toThrow(
      /^--executor virtualbox: unknown executor; one of docker, kubernetes$/,
    );
  });

  it('every runner-config command the docs give runs as written: --executor is required', () => {
    const root = resolve(import.meta.dirname, '../..');
    const files = [
      'README.md',
      ...readdirSync(join(root, 'docs'))
        .filter((name) => name.endsWith('.md'))
        .map((name) => `docs/${name}`),
      ...readdirSync(join(root, 'docs/commands')).map((name) => `docs/commands/${name}`),
      ...readdirSync(join(root, 'docs/components')).map((name) => `docs/components/${name}`),
      // What a job prints when it stops (the dind job without the shared certs volume).
      ...readdirSync(join(root, 'components'))
        .flatMap((dir) => readdirSync(join(root, 'components', dir)).map((name) => `components/${dir}/${name}`))
        .filter((file) => file.endsWith('.hbs')),
    ];
    const commands = files.flatMap((file) =>
      [...readFileSync(join(root, file), 'utf8').matchAll(/cigen runner-config --builder ([a-z-]+)(?: --executor ([a-z]+))?/g)].map(
        (match) => ({ where: `${file}: ${match[0]}`, builder: match[1] as string, executor: match[2] }),
      ),
    );
    expect(commands.map((command) => command.where)).toContain('docs/registries.md: cigen runner-config --builder dind --executor docker');
    capture();
    for (const { where, builder, executor } of commands) {
      expect(executor, where).toBeDefined();
      expect(() => runRunnerConfig({ builder, executor: executor as string }), where).not.toThrow();
    }
  });

  it('buildah-rootless on docker: an InputError with the reason, nothing printed', () => {
    const output = capture();
    let error: unknown;
    try {
      runRunnerConfig({ builder: 'buildah-rootless', executor: 'docker' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(1);
    expect((error as Error).message).toMatch(
      /^buildah-rootless is not possible on the Docker executor: .*systempaths=unconfined.*GitLab Runner issue 36810/,
    );
    expect(output()).toBe('');
  });
});
