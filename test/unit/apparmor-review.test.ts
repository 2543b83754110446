/**
 * The Kubernetes AppArmor words the review found wrong: the runtime's default profile applies to a
 * pod that names none, and refuses mount() (so "vanilla Kubernetes applies no AppArmor profile" is
 * false); appArmorProfile in a pod_spec patch needs GitLab Runner 18.7 or later (gitlab-runner!6512),
 * the pod annotation works on every version.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { APPARMOR_ANNOTATION, APPARMOR_NOTE } from '../../src/builders/runner.js';
import { runnerConfig } from '../../src/runner/config.js';

const ROOT = join(import.meta.dirname, '../..');
const page = (name: string) => readFileSync(join(ROOT, 'docs/components', `${name}.md`), 'utf8').replace(/\s+/g, ' ');

describe('AppArmor on Kubernetes', () => {
  it('the note gives the annotation for every runner version, and appArmorProfile only with GitLab Runner 18.7 or later', () => {
    expect(APPARMOR_NOTE).toContain('applies its default profile to every pod that names none, and it refuses mount()');
    expect(APPARMOR_NOTE).toContain(
      'add the annotation "container.apparmor.security.beta.kubernetes.io/build" = "unconfined" under ' +
        '[runners.kubernetes.pod_annotations] (any GitLab Runner version)',
    );
    expect(APPARMOR_NOTE).toContain('with GitLab Runner 18.7 or later, appArmorProfile: {type: Unconfined}');
    // The annotation as written is a TOML key/value under that table.
    expect(parseToml(`[runners.kubernetes.pod_annotations]\n${APPARMOR_ANNOTATION}\n`)).toEqual({
      runners: { kubernetes: { pod_annotations: { 'container.apparmor.security.beta.kubernetes.io/build': 'unconfined' } } },
    });
  });

  it.each(['buildah', 'buildah-rootless', 'buildkit'] as const)('runner-config %s --executor kubernetes carries that note', (builder) => {
    const { notes } = runnerConfig(builder, 'kubernetes');
    expect(notes).toContain(APPARMOR_NOTE);
    for (const note of notes)
      if (note.includes('appArmorProfile')) expect(note, builder).toContain('GitLab Runner 18.7 or later, appArmorProfile');
  });

  it('the buildah page no longer says Kubernetes applies no AppArmor profile', () => {
    const buildah = page('buildah');
    expect(buildah).not.toMatch(/applies no seccomp or AppArmor profile/);
    expect(buildah).toContain(
      'on nodes with AppArmor (Ubuntu, Debian) the container runtime applies its default AppArmor profile to every pod that ' +
        'names none, and that profile refuses `mount()`',
    );
  });

  it.each(['buildah', 'buildah-rootless', 'buildkit'])(
    'the %s page: the annotation under pod_annotations, appArmorProfile from 18.7',
    (name) => {
      const text = page(name);
      expect(text).toContain('`container.apparmor.security.beta.kubernetes.io/build: unconfined`');
      expect(text).toContain('`[runners.kubernetes.pod_annotations]`');
      expect(text).toMatch(/`appArmorProfile: \{type: Unconfined\}` [^.]*GitLab Runner 18\.7 or later/);
    },
  );
});
