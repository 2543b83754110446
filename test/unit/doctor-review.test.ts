/**
 * `cigen doctor` names the runner-config snippet only where it carries the fix the runner lacks,
 * says which part where only part of it is, and what to add where the fix is not in it (the review
 * found it named after every finding, host sysctls and AppArmor on Kubernetes among them).
 */
import { describe, expect, it } from 'vitest';
import { CHECK_NAMES, type CheckName } from '../../src/builders/runner.js';
import { adviceText } from '../../src/runner/advice.js';
import { recommend, verdicts, type Executor } from '../../src/runner/capabilities.js';
import type { DoctorReport } from '../../src/runner/report.js';

function report(executor: Executor, checks: Partial<Record<CheckName, { ok: boolean; detail: string }>>): DoctorReport {
  const all = Object.fromEntries(CHECK_NAMES.map((name) => [name, { ok: true, detail: `${name} fine` }])) as DoctorReport['checks'];
  all.privileged = { ok: false, detail: 'CapEff 00000000a80425fb' };
  Object.assign(all, checks);
  const choice = recommend({ checks: all, executor });
  return { version: 1, executor, checks: all, verdicts: verdicts(all, executor), recommendation: choice.builder, reason: choice.reason };
}

const USERNS_FAILS = { ok: false, detail: 'unshare --user --map-root-user fails: unshare: unshare failed: No space left on device' };
const MOUNT_FAILS = { ok: false, detail: 'mount -t tmpfs fails in a user and mount namespace: mount: permission denied' };
const SECCOMP_OFF = { ok: true, detail: 'Seccomp: 0 (disabled)' };
const SECCOMP_FILTER = { ok: false, detail: 'Seccomp: 2 (filter: a profile decides whether unshare and mount are allowed)' };

describe('cigen doctor names the runner-config snippet only where it carries the fix', () => {
  it('Docker, seccomp and AppArmor already off, user namespaces refused by the host: no snippet, the sysctls', () => {
    const text = adviceText(
      report('docker', { userns: USERNS_FAILS, mount: MOUNT_FAILS, seccomp: SECCOMP_OFF, apparmor: { ok: true, detail: 'unconfined' } }),
    );
    expect(text).toContain('Recommended: kaniko');
    expect(text).toContain('the host refuses them. Check user.max_user_namespaces');
    expect(text).not.toContain('cigen runner-config --builder buildah');
    expect(text).not.toContain('snippet');
  });

  it('Kubernetes, seccomp off, AppArmor enforcing: the snippet has no AppArmor setting and its seccomp patch is not needed', () => {
    const text = adviceText(
      report('kubernetes', {
        mount: MOUNT_FAILS,
        seccomp: SECCOMP_OFF,
        apparmor: { ok: false, detail: 'cri-containerd.apparmor.d (enforce)' },
      }),
    );
    expect(text).toContain('AppArmor confines the job (cri-containerd.apparmor.d (enforce)) and mount() failed');
    expect(text).not.toMatch(/^- The (config\.toml|Helm values\.yml) snippet: /m);
    expect(text).toContain(
      '- The Helm values.yml snippet (cigen runner-config --builder buildah --executor kubernetes) has no AppArmor setting, ' +
        'and its seccompProfile patch is not needed here (seccomp does not filter): add',
    );
    expect(text).toContain(
      '"container.apparmor.security.beta.kubernetes.io/build" = "unconfined" under [runners.kubernetes.pod_annotations]',
    );
    expect(text).toContain('appArmorProfile: {type: Unconfined} in a pod_spec patch (GitLab Runner 18.7 or later)');
  });

  it('Kubernetes, seccomp filtering and AppArmor enforcing: the seccomp patch from the snippet, AppArmor added to it', () => {
    const text = adviceText(
      report('kubernetes', {
        userns: USERNS_FAILS,
        mount: MOUNT_FAILS,
        seccomp: SECCOMP_FILTER,
        apparmor: { ok: false, detail: 'cri-containerd.apparmor.d (enforce)' },
      }),
    );
    expect(text).toContain(
      '- The Helm values.yml snippet: cigen runner-config --builder buildah --executor kubernetes (its seccompProfile patch); ' +
        'it has no AppArmor setting: add',
    );
  });

  it('Kubernetes, seccomp filtering, nothing else: the snippet, for its seccompProfile patch', () => {
    const text = adviceText(report('kubernetes', { userns: USERNS_FAILS, mount: MOUNT_FAILS, seccomp: SECCOMP_FILTER }));
    expect(text).toContain(
      '- The Helm values.yml snippet: cigen runner-config --builder buildah --executor kubernetes (its seccompProfile patch)\n',
    );
  });

  it('Docker, both seccomp and AppArmor refusing: the whole snippet', () => {
    const text = adviceText(
      report('docker', {
        userns: USERNS_FAILS,
        mount: MOUNT_FAILS,
        seccomp: SECCOMP_FILTER,
        apparmor: { ok: false, detail: 'docker-default (enforce)' },
      }),
    );
    expect(text).toContain('- The config.toml snippet: cigen runner-config --builder buildah --executor docker\n');
  });

  it('Docker, only seccomp refusing: the snippet, its seccomp=unconfined', () => {
    const text = adviceText(report('docker', { userns: USERNS_FAILS, mount: MOUNT_FAILS, seccomp: SECCOMP_FILTER }));
    expect(text).toContain(
      '- The config.toml snippet: cigen runner-config --builder buildah --executor docker (of its security_opt, seccomp=unconfined ' +
        'is what this runner lacks)\n',
    );
  });

  it('Docker, only AppArmor refusing: the snippet, its apparmor=unconfined', () => {
    const text = adviceText(
      report('docker', { mount: MOUNT_FAILS, seccomp: SECCOMP_OFF, apparmor: { ok: false, detail: 'docker-default (enforce)' } }),
    );
    expect(text).toContain(
      '- The config.toml snippet: cigen runner-config --builder buildah --executor docker (of its security_opt, apparmor=unconfined ' +
        'is what this runner lacks)\n',
    );
  });

  it('Docker, SELinux refusing mount(): the snippet has no SELinux setting, label=disable is said instead', () => {
    const text = adviceText(
      report('docker', {
        mount: MOUNT_FAILS,
        seccomp: SECCOMP_OFF,
        apparmor: { ok: false, detail: 'SELinux label system_u:system_r:container_t:s0:c1,c2' },
      }),
    );
    expect(text).not.toMatch(/^- The config\.toml snippet: /m);
    expect(text).toContain(
      '- The config.toml snippet (cigen runner-config --builder buildah --executor docker) sets AppArmor, not SELinux: ' +
        'put label=disable in its security_opt in place of its AppArmor entry (its seccomp entry is not needed here: seccomp does not filter).',
    );
  });

  it('mount() refused with neither seccomp nor a confinement at fault: no snippet', () => {
    const text = adviceText(report('docker', { mount: MOUNT_FAILS, seccomp: SECCOMP_OFF }));
    expect(text).toContain('look for a security policy');
    expect(text).not.toContain('cigen runner-config --builder buildah');
  });
});
