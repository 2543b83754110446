/**
 * The BuildKit cache tag's ref slug counts characters, as GitLab's CI_COMMIT_REF_SLUG does: a
 * default branch named développement has its cache read under d-veloppement. The job in the
 * sandbox (busybox), and the slug function under dash and busybox sh with GNU's tr and busybox's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IMG, SHELLS, run, useSandbox } from './platforms-review.harness.js';

const sandbox = useSandbox();

/** GitLab's CI_COMMIT_REF_SLUG: downcase, each character but a-z and 0-9 a -, 63 characters, no - at either end. */
const gitlabSlug = (ref: string) =>
  ref
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');

const REFS = [
  'développement',
  'Élan/Über-Straße',
  'main',
  `${'é'.repeat(40)}${'x'.repeat(40)}`,
  `feature/${'ü'.repeat(30)}-${'a'.repeat(30)}-end`,
  'ünï€ode—dash',
];

describe('BuildKit cache tags: the ref slug counts characters, as CI_COMMIT_REF_SLUG does', () => {
  it.each(SHELLS)("reads the default branch's cache under the slug GitLab gives it (%s)", (shell) => {
    const r = run('buildkit', {}, shell, {
      CI_COMMIT_REF_NAME: 'feature/x',
      CI_COMMIT_REF_SLUG: 'feature-x',
      CI_DEFAULT_BRANCH: 'développement',
    });
    expect(r.status, r.stderr).toBe(0);
    const argv = sandbox().calls('buildctl-daemonless.sh')[0]?.argv ?? [];
    const imports = argv.filter((_a, i) => argv[i - 1] === '--import-cache').map((a) => /ref=([^,]*)/.exec(a)?.[1]);
    expect(imports).toEqual([`${IMG}/cache:buildkit-group-app-feature-x`, `${IMG}/cache:buildkit-group-app-d-veloppement`]);
  });

  // The function itself, under dash and busybox sh, with GNU tr and busybox's.
  const script = readFileSync(join(import.meta.dirname, '../../components/_shared/cache-tag.sh.hbs'), 'utf8');
  const slugFunction = /^cigen_slug\(\) \{\n[\s\S]*?\n\}\n/m.exec(script)?.[0] ?? '';
  const bin = mkdtempSync(join(tmpdir(), 'cigen-busybox-tr-'));
  for (const applet of ['tr', 'printf']) symlinkSync('/bin/busybox', join(bin, applet));
  afterAll(() => rmSync(bin, { recursive: true, force: true }));
  const shells = [
    ['dash', ['dash', '-c']],
    ['busybox sh', ['busybox', 'sh', '-c']],
  ] as const;
  const trs = [
    ['GNU tr', process.env['PATH'] ?? '/usr/bin:/bin'],
    ['busybox tr', `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`],
  ] as const;

  it.each(shells.flatMap(([name, argv]) => trs.map(([tr, path]) => [`${name}, ${tr}`, argv, path] as const)))(
    'cigen_slug gives what GitLab gives (%s)',
    (_name, argv, path) => {
      expect(slugFunction).toContain("tr -d '\\200-\\277'");
      for (const ref of REFS) {
        for (const lang of ['C', 'C.UTF-8']) {
          const [command, ...args] = argv;
          const result = spawnSync(command, [...args, `${slugFunction}cigen_slug "$1" 63; printf '%s' "$CIGEN_REPLY"`, 'sh', ref], {
            env: { PATH: path, LANG: lang, LC_ALL: lang },
            encoding: 'utf8',
          });
          expect(result.stderr).toBe('');
          expect(result.stdout, `${ref} (${lang})`).toBe(gitlabSlug(ref));
        }
      }
    },
  );
});
