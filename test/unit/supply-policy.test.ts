/**
 * What `cigen verify` expects, and the statements cigen signs: the policy file (each mistake
 * refused by name and place, exit 1) and flags (exit 2), the GitLab identity pattern, image references by digest, and
 * the SLSA provenance built from GitLab's predefined variables.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORE_INPUTS } from '../../src/builders/inputs.js';
import { findComponent } from '../../src/catalog/registry.js';
import { PROVENANCE_INPUTS } from '../../src/catalog/supply-chain.js';
import { buildInputs } from '../../src/supply/attest.js';
import { gitlabIdentityRef, gitlabIdentityRegExp, identityOf, parsePolicy, withFlags, type PolicyInput } from '../../src/supply/policy.js';
import { BUILD_TYPE, fromProtectedRef, provenancePredicate } from '../../src/supply/provenance.js';
import { parseDigestReference } from '../../src/supply/reference.js';
import { RegistryReader } from '../../src/supply/registry.js';
import { checkSigning, type SigningOptions } from '../../src/supply/signing.js';
import { InputError, UsageError } from '../../src/errors.js';
import { cigen } from '../helpers/cli.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('image references', () => {
  it.each([
    [`registry.example.com:5000/group/app@${DIGEST}`, { registry: 'registry.example.com:5000', repository: 'group/app', digest: DIGEST }],
    [`registry.example.com/group/app:v1@${DIGEST}`, { registry: 'registry.example.com', repository: 'group/app', digest: DIGEST }],
    [`alpine@${DIGEST}`, { registry: 'docker.io', repository: 'library/alpine', digest: DIGEST }],
    [`localhost/app@${DIGEST}`, { registry: 'localhost', repository: 'app', digest: DIGEST }],
    // Docker's normalisation: index.docker.io is docker.io, and a one-component name there is library/<name>.
    [`index.docker.io/foo@${DIGEST}`, { registry: 'docker.io', repository: 'library/foo', digest: DIGEST }],
    [`index.docker.io/group/foo:1@${DIGEST}`, { registry: 'docker.io', repository: 'group/foo', digest: DIGEST }],
    [`docker.io/foo@${DIGEST}`, { registry: 'docker.io', repository: 'library/foo', digest: DIGEST }],
    [`alpine:3.22@${DIGEST}`, { registry: 'docker.io', repository: 'library/alpine', digest: DIGEST }],
    [`[::1]:5000/group/app@${DIGEST}`, { registry: '[::1]:5000', repository: 'group/app', digest: DIGEST }],
  ])('%s', (text, expected) => expect(parseDigestReference(text)).toEqual(expected));

  it.each([
    ['registry.example.com/group/app:v1', 'name the image by digest, IMAGE@sha256:<64 hex digits> (a tag can move; a digest cannot)'],
    ['registry.example.com/group/app@sha256:abc', 'sha256:abc is not a sha256 digest (sha256:<64 lowercase hex digits>)'],
    [`registry.example.com/Group/app@${DIGEST}`, 'Group/app is not an image repository (lowercase components: a-z 0-9 . _ -)'],
    // The grammar of distribution/reference: one '@', a tag that is one, a port that is a number.
    [`reg.io/app:tag@x@${DIGEST}`, "more than one '@': IMAGE[:TAG]@sha256:<64 hex digits>"],
    [`reg.io/app:@${DIGEST}`, 'the tag after ":" is empty'],
    [`reg.io/app:-x@${DIGEST}`, '-x is not a tag (a letter, digit or _, then up to 127 of those, . and -)'],
    [`reg.io:/app@${DIGEST}`, 'reg.io: is not a registry host (host or host:port)'],
    [`reg.io:50a/app@${DIGEST}`, 'reg.io:50a is not a registry host (host or host:port)'],
  ])('refuses %s', (text, message) => expect(() => parseDigestReference(text)).toThrow(`${text}: ${message}`));
});

describe('policy files', () => {
  it('reads identity, key, require and protected-ref', () => {
    expect(
      parsePolicy(
        'identity: {issuer: https://gitlab.example.com, project: group/app, ref-pattern: refs/heads/main}\nrequire: [sbom, provenance]\nprotected-ref: true\n',
        'p.yml',
      ),
    ).toEqual({
      issuer: 'https://gitlab.example.com',
      project: 'group/app',
      refPattern: 'refs/heads/main',
      require: ['sbom', 'provenance'],
      protectedRef: true,
      protectedRefAt: 'p.yml:3:1',
      signerAt: { keys: ['identity.project', 'identity.ref-pattern'], at: 'p.yml:1:48' },
    });
    expect(parsePolicy('{"key": "cosign.pub"}', 'p.json')).toEqual({
      key: 'cosign.pub',
      keyAt: 'p.json:1:9',
      signerAt: { keys: ['key'], at: 'p.json:1:2' },
    });
    expect(parsePolicy('identity:\n  issuer: https://g\n  subject: x\n', 'p.yml').signerAt).toEqual({
      keys: ['identity.subject'],
      at: 'p.yml:3:3',
    });
    expect(parsePolicy('identity: {issuer: https://g}', 'p.yml').signerAt).toBeUndefined();
    expect(parsePolicy('protected-ref: false', 'p.yml')).toEqual({ protectedRef: false });
  });

  /** What parsePolicy throws for `text`, named p.yml. */
  const refusal = (text: string): unknown => {
    try {
      parsePolicy(text, 'p.yml');
    } catch (error) {
      return error;
    }
    return undefined;
  };

  // The file is at fault, not the command line: exit 1, at the line and column of what is wrong.
  it.each([
    ['a list', '[1]', 'p.yml:1:1: a policy is a mapping (identity, key, require, protected-ref)'],
    [
      'an unknown key',
      'identity: {issuer: x}\nrequires: [sbom]',
      'p.yml:2:1: requires is not a policy key (identity, key, require, protected-ref)',
    ],
    [
      'an unknown identity key',
      'identity: {repo: x}',
      'p.yml:1:12: identity.repo is not a policy key (issuer, subject, subject-regexp, project, ref-pattern)',
    ],
    [
      'a list for the identity',
      'identity: [x]',
      'p.yml:1:11: identity must be a mapping (issuer, subject, subject-regexp, project, ref-pattern)',
    ],
    ['an unknown kind', 'require:\n  - sbom\n  - vex', 'p.yml:3:5: require: vex is not one of signature, sbom, provenance'],
    ['a string for a boolean', 'protected-ref: "yes"', 'p.yml:1:16: protected-ref must be true or false'],
    ['an empty key', 'key: ""', 'p.yml:1:6: key must be a non-empty string'],
    ['an empty identity value', 'identity:\n  issuer: ""', 'p.yml:2:11: identity.issuer must be a non-empty string'],
    [
      'a regular expression that is none',
      'identity:\n  issuer: https://g\n  subject-regexp: "("',
      /^p\.yml:3:19: identity\.subject-regexp: \( is not a regular expression: /,
    ],
    ['not YAML', 'a: [', /^p\.yml:1:5: not YAML or JSON: Flow sequence .*[^:]$/],
    [
      'a value that holds itself',
      'require: &a [*a]',
      'p.yml:1:14: not YAML or JSON: an alias inside the node it names (a value that holds itself)',
    ],
    ['a key given twice', 'require: [sbom]\nrequire: []', /^p\.yml:2:1: not YAML or JSON: Map keys must be unique/],
    [
      'both a key and an identity',
      'identity: {issuer: https://i, project: g/p}\nkey: cosign.pub',
      'p.yml:2:1: give a key or an identity, not both',
    ],
    [
      'the signer named twice (at the second)',
      'identity:\n  issuer: https://g\n  project: g/p\n  subject: x\n',
      'p.yml:4:3: identity names the signer once: subject, subject-regexp or project',
    ],
    [
      'a ref pattern without a project',
      'identity:\n  issuer: https://g\n  subject: x\n  ref-pattern: main\n',
      'p.yml:4:3: identity.ref-pattern goes with identity.project',
    ],
  ])('refuses %s', (_label, text, message) => {
    const error = refusal(text);
    expect(error).toBeInstanceOf(InputError);
    if (typeof message === 'string') expect((error as Error).message).toBe(message);
    else expect((error as Error).message).toMatch(message);
  });

  it('on the command line: exit 1 with file:line:column, in --format json too; nothing is fetched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-verify-policy-'));
    try {
      const policy = join(dir, 'policy.yml');
      writeFileSync(policy, 'identity:\n  issuer: https://gitlab.com\n  project: a/b\nrequire: [sbom, provenence]\n');
      const text = cigen(['verify', `registry.example.com/app@${DIGEST}`, '--policy', policy]);
      expect(text.stderr).toBe(`${policy}:4:17: require: provenence is not one of signature, sbom, provenance\n`);
      expect(text.status).toBe(1);
      writeFileSync(policy, 'identity:\n  issuer: x\nfoo: 1\n');
      const json = cigen(['verify', `registry.example.com/app@${DIGEST}`, '--policy', policy, '--format', 'json']);
      expect(JSON.parse(json.stdout)).toEqual({
        error: { exitCode: 1, message: `${policy}:3:1: foo is not a policy key (identity, key, require, protected-ref)` },
      });
      expect(json.status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // The user wrote protected-ref in the file, not the flag: the refusal names the file's key where
  // it is (exit 1), in the file's words; with the flag passed too, the flag (exit 2).
  it.each([
    [
      'beside a key',
      'key: cosign.pub\nprotected-ref: true\n',
      [],
      ':2:1: protected-ref needs a keyless identity that names the refs (identity.project with identity.ref-pattern, or identity.subject): a key proves no ref',
    ],
    [
      'with a project and no ref pattern',
      'identity:\n  issuer: https://g\n  project: g/a\nprotected-ref: true\n',
      [],
      ':4:1: protected-ref goes with identity.project and identity.ref-pattern, or an exact identity.subject: that the ref was protected',
    ],
  ])('protected-ref %s: refused at its place in the file, exit 1', (_label, text, flags, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-verify-policy-'));
    try {
      const policy = join(dir, 'policy.yml');
      writeFileSync(policy, text);
      const result = cigen(['verify', `registry.example.com/app@${DIGEST}`, '--policy', policy, ...flags]);
      expect(result.stderr.startsWith(`${policy}${message}`), result.stderr).toBe(true);
      expect(result.stderr.split('\n')).toHaveLength(2);
      expect(result.status).toBe(1);
      const flag = cigen(['verify', `registry.example.com/app@${DIGEST}`, '--policy', policy, ...flags, '--protected-ref']);
      expect(flag.stderr).toMatch(/^--protected-ref (needs|goes with) /);
      expect(flag.status).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // A flag named the signer: the file cannot change who must sign, so the refusal names the flags
  // (exit 2), the file's protected-ref by its place, and what of the file's the flag replaced.
  const IDENTITY = 'protected-ref: true\nidentity:\n  issuer: https://g\n  project: g/p\n  ref-pattern: refs/heads/main\n';
  const GOES = 'goes with --project and --ref-pattern, or an exact --certificate-identity: that the ref was protected';
  const KEYLESS =
    'needs a keyless identity that names the refs (--project with --ref-pattern, or --certificate-identity): a key proves no ref';
  it.each([
    [
      IDENTITY,
      ['--project', 'g/q'],
      (p: string) =>
        `--project replaces the policy file's identity.project and identity.ref-pattern (${p}:4:3); protected-ref (${p}:1:1) ${GOES}`,
    ],
    [
      IDENTITY,
      ['--certificate-identity-regexp', 'x'],
      (p: string) =>
        `--certificate-identity-regexp replaces the policy file's identity.project and identity.ref-pattern (${p}:4:3); protected-ref (${p}:1:1) ${GOES}`,
    ],
    [
      IDENTITY,
      ['--key', 'cosign.pub'],
      (p: string) =>
        `--key replaces the policy file's identity.project and identity.ref-pattern (${p}:4:3); protected-ref (${p}:1:1) ${KEYLESS}`,
    ],
    [
      'key: cosign.pub\nprotected-ref: true\n',
      ['--certificate-oidc-issuer', 'https://g', '--project', 'g/q'],
      (p: string) => `--project replaces the policy file's key (${p}:1:1); protected-ref (${p}:2:1) ${GOES}`,
    ],
    // Nothing of the file's replaced: its protected-ref by its place, the parts in the flags' words.
    ['require: [sbom]\nprotected-ref: true\n', ['--key', 'cosign.pub'], (p: string) => `protected-ref (${p}:2:1) ${KEYLESS}`],
    [
      'protected-ref: true\n',
      ['--certificate-oidc-issuer', 'https://g', '--project', 'g/q'],
      (p: string) => `protected-ref (${p}:1:1) ${GOES}`,
    ],
  ])("a policy file's protected-ref, %j with %j: refused in the flags' words, exit 2", (text, flags, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-verify-policy-'));
    try {
      const policy = join(dir, 'policy.yml');
      writeFileSync(policy, text);
      const result = cigen(['verify', `registry.example.com/app@${DIGEST}`, '--policy', policy, ...flags]);
      expect(result.stderr.startsWith(message(policy)), result.stderr).toBe(true);
      expect(result.status).toBe(2);
      // With --protected-ref passed too, the flag is named, and what was replaced still is.
      const flag = cigen(['verify', `registry.example.com/app@${DIGEST}`, '--policy', policy, ...flags, '--protected-ref']);
      expect(flag.stderr).toMatch(/(^|; )--protected-ref (needs|goes with) /);
      expect(flag.stderr.includes(' replaces the policy file'), flag.stderr).toBe(message(policy).includes(' replaces the policy file'));
      expect(flag.status).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('who must have signed', () => {
  it("GitLab's identity: server, project, any CI config path, the refs allowed", () => {
    const re = new RegExp(gitlabIdentityRegExp('https://gitlab.example.com/', 'group/app', 'refs/heads/main'));
    expect(re.test('https://gitlab.example.com/group/app//.gitlab-ci.yml@refs/heads/main')).toBe(true);
    expect(re.test('https://gitlab.example.com/group/app//ci/build.yml@refs/heads/main')).toBe(true);
    expect(re.test('https://gitlab.example.com/group/app//.gitlab-ci.yml@refs/heads/main-evil')).toBe(false);
    expect(re.test('https://gitlab.example.com/group/app-evil//.gitlab-ci.yml@refs/heads/main')).toBe(false);
    expect(re.test('https://gitlab.exampleXcom/group/app//.gitlab-ci.yml@refs/heads/main')).toBe(false);
    // A branch may be named feature@refs/heads/main (git check-ref-format takes it): not main.
    expect(re.test('https://gitlab.example.com/group/app//.gitlab-ci.yml@refs/heads/feature@refs/heads/main')).toBe(false);
    const any = new RegExp(gitlabIdentityRegExp('https://gitlab.example.com', 'group/app'));
    expect(any.test('https://gitlab.example.com/group/app//.gitlab-ci.yml@refs/heads/feature@x')).toBe(true);
  });

  it('a CI config kept in another project (`<file>@<project>`, maybe `:<ref>`) is any CI config too; a branch named like a ref is not', () => {
    const re = new RegExp(gitlabIdentityRegExp('https://gitlab.example.com', 'group/app', 'refs/heads/main'));
    const app = 'https://gitlab.example.com/group/app//';
    // GitLab writes the project's CI/CD configuration file setting as is, before `@<ref>`.
    for (const config of [
      '.gitlab-ci.yml@group/compliance',
      'ci/build.yml@group/sub/compliance',
      '.gitlab-ci.yml@group/compliance:main',
      '.gitlab-ci.yml@group/compliance:refs/heads/stable',
      `.gitlab-ci.yml@group/compliance:${'c'.repeat(40)}`,
    ])
      expect(re.test(`${app}${config}@refs/heads/main`), config).toBe(true);
    expect(re.test(`${app}.gitlab-ci.yml@group/compliance@refs/heads/feature`)).toBe(false);
    // A branch named feature@refs/heads/main: its first part is no config project (it starts with refs/).
    expect(re.test(`${app}.gitlab-ci.yml@refs/heads/feature@refs/heads/main`)).toBe(false);
    expect(re.test(`${app}.gitlab-ci.yml@refs/tags/v1@refs/heads/main`)).toBe(false);
    // Nor after a config in another project: only one `@<project>` is the config's.
    expect(re.test(`${app}.gitlab-ci.yml@group/compliance@refs/heads/feature@refs/heads/main`)).toBe(false);
    expect(re.test(`${app}.gitlab-ci.yml@group/compliance:main@refs/heads/feature@refs/heads/main`)).toBe(false);
    // A project path has a namespace: `@feature` is not one.
    expect(re.test(`${app}.gitlab-ci.yml@feature@refs/heads/main`)).toBe(false);
    // Another project's pipeline is still another project's.
    expect(re.test('https://gitlab.example.com/group/other//.gitlab-ci.yml@group/app@refs/heads/main')).toBe(false);
  });

  it('a ref pattern written with anchors, as for cosign, matches the whole ref as one without them does', () => {
    const identity = 'https://gitlab.example.com/group/app//.gitlab-ci.yml@refs/heads/main';
    for (const pattern of ['^refs/heads/main$', '^refs/heads/main', 'refs/heads/main$']) {
      const re = new RegExp(gitlabIdentityRegExp('https://gitlab.example.com', 'group/app', pattern));
      expect(re.test(identity), pattern).toBe(true);
      expect(re.test(`${identity}-evil`), pattern).toBe(false);
    }
    // Anchors on each alternative, as the alternation is written for cosign.
    const either = new RegExp(gitlabIdentityRegExp('https://gitlab.example.com', 'group/app', '^refs/heads/main$|^refs/tags/v.*$'));
    expect(either.test(identity)).toBe(true);
    expect(either.test('https://gitlab.example.com/group/app//.gitlab-ci.yml@refs/tags/v1')).toBe(true);
    expect(either.test('https://gitlab.example.com/group/app//.gitlab-ci.yml@refs/heads/feature')).toBe(false);
    // A `|` inside a group or a class is not an alternative of the whole.
    const grouped = new RegExp(gitlabIdentityRegExp('https://gitlab.example.com', 'group/app', '^refs/(heads|tags)/[a|b]$'));
    expect(grouped.test('https://gitlab.example.com/group/app//.gitlab-ci.yml@refs/tags/a')).toBe(true);
    expect(grouped.test('https://gitlab.example.com/group/app//.gitlab-ci.yml@refs/tags/|')).toBe(true);
    // An escaped dollar is a character of the ref, not an anchor.
    const dollar = new RegExp(gitlabIdentityRegExp('https://gitlab.example.com', 'group/app', 'refs/tags/v1\\$'));
    expect(dollar.test('https://gitlab.example.com/group/app//.gitlab-ci.yml@refs/tags/v1$')).toBe(true);
    expect(dollar.test('https://gitlab.example.com/group/app//.gitlab-ci.yml@refs/tags/v1')).toBe(false);
  });

  it('a --ref-pattern over a policy that names a key is refused as such', () => {
    expect(() => identityOf(withFlags({ key: 'keys/cosign.pub' }, { refPattern: 'main' }))).toThrow(
      '--ref-pattern goes with --project; a key names no ref',
    );
  });

  it.each([
    [
      {},
      'say who must have signed: --key FILE, or --certificate-oidc-issuer with ' +
        '--certificate-identity, --certificate-identity-regexp or --project',
    ],
    [{ issuer: 'https://g' }, 'give exactly one of --certificate-identity, --certificate-identity-regexp, --project (with the issuer)'],
    [
      { issuer: 'https://g', project: 'a', subject: 'b' },
      'give exactly one of --certificate-identity, --certificate-identity-regexp, --project (with the issuer)',
    ],
    [{ key: 'k', issuer: 'https://g' }, 'give a key or an identity (issuer with subject, subject-regexp or project), not both'],
    [{ issuer: 'https://g', subject: 'x', refPattern: 'refs/heads/main' }, '--ref-pattern goes with --project'],
    [{ issuer: 'https://g', subjectRegExp: '(' }, '( is not a regular expression: '],
    [
      { issuer: 'https://g', project: 'group/app', protectedRef: true },
      '--protected-ref goes with --project and --ref-pattern, or an exact --certificate-identity: that the ref was protected',
    ],
    [
      { issuer: 'https://g', subjectRegExp: 'https://g/group/app//[^@]+@refs/heads/.+', protectedRef: true },
      '--protected-ref goes with --project and --ref-pattern, or an exact --certificate-identity',
    ],
    // A key proves no ref: the provenance's CI_COMMIT_REF_PROTECTED would be the only word for it.
    [{ key: 'k.pub', protectedRef: true }, '--protected-ref needs a keyless identity that names the refs'],
  ])('refuses %j', (input, message) => expect(() => identityOf(input)).toThrow(message));

  it.each([
    [{ key: 'k.pub' }, 'p.yml:2:1: protected-ref needs a keyless identity that names the refs (identity.project with identity.ref-pattern'],
    [{ issuer: 'https://g', project: 'group/app' }, 'p.yml:2:1: protected-ref goes with identity.project and identity.ref-pattern'],
  ])("a policy file's protected-ref beside %j: refused at its place, as the file writes it (exit 1)", (input, message) => {
    let error: unknown;
    try {
      identityOf({ ...input, protectedRef: true, protectedRefAt: 'p.yml:2:1' });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message.startsWith(message)).toBe(true);
  });

  it('--protected-ref with --project and --ref-pattern, or an exact identity, is taken', () => {
    expect(identityOf({ issuer: 'https://g', project: 'group/app', refPattern: 'refs/heads/main', protectedRef: true })).toBeDefined();
    expect(
      identityOf({ issuer: 'https://g', subject: 'https://g/group/app//.gitlab-ci.yml@refs/heads/main', protectedRef: true }),
    ).toBeDefined();
    expect(identityOf({ key: 'k.pub' })).toBeUndefined();
  });

  it.each([
    ['https://gitlab.example.com/group/app//.gitlab-ci.yml@refs/heads/main', { ref: 'refs/heads/main' }],
    ['https://gitlab.example.com/group/app//.gitlab-ci.yml@compliance/pipelines@refs/heads/evil', { ref: 'refs/heads/evil' }],
    ['https://gitlab.example.com/group/app//.gitlab-ci.yml@refs/heads/x@refs/heads/main', { ref: 'refs/heads/x@refs/heads/main' }],
    ['https://gitlab.example.com/group/app//.gitlab-ci.yml', { ref: null }],
    ['https://github.com/o/r/.github/workflows/build.yml@refs/heads/main', undefined],
    ['someone@example.com', undefined],
  ])('the ref of the identity %s', (identity, expected) => expect(gitlabIdentityRef(identity)).toEqual(expected));

  it('the command line: usage errors exit 2 with the reason, nothing is fetched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-verify-usage-'));
    try {
      for (const [args, message] of [
        [['verify', 'registry.example.com/app:latest', '--key', 'k.pub'], 'registry.example.com/app:latest: name the image by digest'],
        [['verify', `registry.example.com/app@${DIGEST}`], 'say who must have signed: --key FILE'],
        [
          ['verify', `registry.example.com/app@${DIGEST}`, '--key', join(dir, 'none.pub')],
          `--key ${join(dir, 'none.pub')}: no such file or directory`,
        ],
        [
          ['verify', `registry.example.com/app@${DIGEST}`, '--key', 'k.pub', '--require', 'sbom,vex'],
          '--require: vex is not one of signature, sbom, provenance',
        ],
        [
          ['verify', `registry.example.com/app@${DIGEST}`, '--key', join(dir, 'none.pub'), '--protected-ref'],
          '--protected-ref needs a keyless identity that names the refs',
        ],
        [
          ['sign', `registry.example.com/app@${DIGEST}`],
          'no identity to sign with: keyless signing needs the OIDC token in SIGSTORE_ID_TOKEN',
        ],
      ] as const) {
        const result = cigen([...args], { env: { SIGSTORE_ID_TOKEN: '' } });
        expect(result.stderr, args.join(' ')).toContain(message);
        expect(result.status, args.join(' ')).toBe(2);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a policy file's key that cannot be read, or is none, is the file's mistake: its place, the key as written, exit 1", () => {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-verify-policy-key-'));
    try {
      writeFileSync(join(dir, 'pk.yml'), 'key: missing.pub\n');
      writeFileSync(join(dir, 'bad.yml'), 'require: [sbom]\nkey:   not-a-key.pub\n');
      writeFileSync(join(dir, 'not-a-key.pub'), 'hello\n');
      const image = `127.0.0.1:9/group/app@${DIGEST}`;
      const missing = cigen(['verify', image, '--policy', join(dir, 'pk.yml')]);
      expect(missing.stderr).toBe(`${join(dir, 'pk.yml')}:1:6: key missing.pub: no such file or directory\n`);
      expect(missing.status).toBe(1);
      const none = cigen(['verify', image, '--policy', join(dir, 'bad.yml')]);
      expect(none.stderr).toBe(`${join(dir, 'bad.yml')}:2:8: key not-a-key.pub is not a PEM public key\n`);
      expect(none.status).toBe(1);
      // A --key over the file's is the flag's: a usage error, named by the flag (exit 2).
      const flag = cigen(['verify', image, '--policy', join(dir, 'bad.yml'), '--key', join(dir, 'none.pub')]);
      expect(flag.stderr).toContain(`--key ${join(dir, 'none.pub')}: no such file or directory`);
      expect(flag.status).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('verify --help says which exit code a file that cannot be read, or is none, gives', () => {
    const help = cigen(['verify', '--help']).stdout.replace(/\s+/g, ' ');
    expect(help).toContain(
      '1 refused (each reason on a line) or a file refused (a --policy mistake at FILE:LINE:COLUMN, a key it names that cannot be ' +
        'read or is none included; a --key or --trusted-root that is none), 2 usage (a --policy, --key or --trusted-root that ' +
        'cannot be read included).',
    );
  });

  it('a --trusted-root that is not one (a TUF root.json, {}) is refused as a file mistake, before any image is read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-verify-root-'));
    try {
      writeFileSync(join(dir, 'root.json'), JSON.stringify({ signed: { _type: 'root', version: 1 }, signatures: [] }));
      writeFileSync(join(dir, 'empty.json'), '{}');
      // Port 9 (discard): had the file been taken, the refusal would be that the registry cannot be reached.
      const image = `127.0.0.1:9/group/app@${DIGEST}`;
      const keyless = ['--certificate-oidc-issuer', 'https://gitlab.example.com', '--project', 'group/app'];
      const tuf = cigen(['verify', image, ...keyless, '--trusted-root', join(dir, 'root.json')]);
      expect(tuf.stderr).toBe(
        `${join(dir, 'root.json')} is not a Sigstore trusted root: it has the top-level signed and signatures of TUF metadata, ` +
          "as a TUF repository's root.json does; give the trusted root the repository serves as a target " +
          '(trusted_root.json, mediaType application/vnd.dev.sigstore.trustedroot…+json)\n',
      );
      expect(tuf.status).toBe(1);
      writeFileSync(
        join(dir, 'k.pub'),
        generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }),
      );
      const json = cigen(['verify', image, '--key', join(dir, 'k.pub'), '--trusted-root', join(dir, 'empty.json'), '--format', 'json']);
      expect(JSON.parse(json.stdout)).toEqual({
        error: {
          exitCode: 1,
          message: `${join(dir, 'empty.json')} is not a Sigstore trusted root: it has no mediaType (application/vnd.dev.sigstore.trustedroot.v0.2+json or another version of it)`,
        },
      });
      expect(json.status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--help says what each command does and how it exits', () => {
    for (const command of ['sign', 'sbom', 'provenance', 'verify']) {
      const help = cigen([command, '--help']);
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(/Exit codes: 0 (verified|attached), 1 refused/);
    }
  });
});

describe('provenance from GitLab predefined variables', () => {
  const env = {
    CI_SERVER_URL: 'https://gitlab.example.com',
    CI_PROJECT_PATH: 'group/app',
    CI_PROJECT_URL: 'https://gitlab.example.com/group/app',
    CI_COMMIT_SHA: 'f'.repeat(40),
    CI_COMMIT_TAG: 'v1.2.3',
    CI_COMMIT_REF_NAME: 'v1.2.3',
    CI_COMMIT_REF_PROTECTED: 'true',
    CI_PIPELINE_ID: '9',
    CI_PIPELINE_SOURCE: 'push',
    // The provenance job's own job and runner, which did not build.
    CI_JOB_ID: '4',
    CI_JOB_URL: 'https://gitlab.example.com/group/app/-/jobs/4',
    CI_JOB_STARTED_AT: '2026-11-23T09:04:00Z',
    CI_RUNNER_ID: '99',
    CI_RUNNER_VERSION: '18.0.0',
    CI_RUNNER_DESCRIPTION: 'signing runner',
    // The build job's, from its report.
    CIGEN_BUILT_BY_JOB_ID: '3',
    CIGEN_BUILT_BY_JOB_STARTED_AT: '2026-11-23T09:00:00Z',
    CIGEN_BUILT_BY_RUNNER_ID: '12',
    CIGEN_BUILT_BY_RUNNER_VERSION: '18.6.0',
    CI_CONFIG_PATH: '.gitlab-ci.yml',
  };
  it('without the build report, no job or runner is named (the provenance job did not build)', () => {
    const bare = Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('CIGEN_BUILT_BY_')));
    const p = provenancePredicate(bare, { component: 'kaniko', inputs: {}, finishedOn: new Date('2026-11-23T09:05:00Z') });
    expect(p.runDetails).toEqual({
      builder: { id: 'https://gitlab.example.com/-/runners' },
      metadata: { finishedOn: '2026-11-23T09:05:00.000Z' },
    });
    expect(JSON.stringify(p)).not.toMatch(/jobs\/4|runners\/99|18\.0\.0|signing runner/);
  });

  it('the buildType opens the section of docs/supply-chain.md that explains the fields (GitLab slugs headings)', () => {
    const [page, anchor] = BUILD_TYPE.replace(/^.*\/-\/blob\/main\//, '').split('#') as [string, string];
    const slug = (heading: string) =>
      heading
        .toLowerCase()
        .replace(/[^a-z0-9 _-]/g, '')
        .replace(/ /g, '-');
    const headings = readFileSync(page, 'utf8')
      .split('\n')
      .filter((line) => /^#{1,6} /.test(line))
      .map((line) => slug(line.replace(/^#+ /, '')));
    expect(headings).toContain(anchor);
  });

  it('a tag pipeline: the tag as ref, the commit as dependency, the runner that built as builder', () => {
    const p = provenancePredicate(env, {
      component: 'kaniko',
      inputs: { image: '$CI_REGISTRY_IMAGE' },
      finishedOn: new Date('2026-11-23T09:05:00Z'),
    });
    expect(p.buildDefinition.buildType).toBe(BUILD_TYPE);
    expect(p.buildDefinition.externalParameters['source']).toEqual({
      repository: env.CI_PROJECT_URL,
      ref: 'refs/tags/v1.2.3',
      revision: env.CI_COMMIT_SHA,
    });
    expect(p.buildDefinition.externalParameters['component']).toEqual({ name: 'kaniko', catalog: 'ci-components/cigen', version: '1.1.0' });
    expect(p.buildDefinition.resolvedDependencies).toEqual([
      { uri: `git+${env.CI_PROJECT_URL}@refs/tags/v1.2.3`, digest: { gitCommit: env.CI_COMMIT_SHA } },
    ]);
    expect(p.runDetails).toEqual({
      builder: { id: 'https://gitlab.example.com/group/app/-/runners/12', version: { 'gitlab-runner': '18.6.0' } },
      metadata: {
        invocationId: 'https://gitlab.example.com/group/app/-/jobs/3',
        startedOn: '2026-11-23T09:00:00Z',
        finishedOn: '2026-11-23T09:05:00.000Z',
      },
    });
    expect(p.buildDefinition.internalParameters).toMatchObject({ jobId: '3' });
    expect(JSON.stringify(p)).not.toMatch(/jobs\/4|runners\/99|18\.0\.0|signing runner/);
    expect(fromProtectedRef(p)).toBe(true);
    expect(
      fromProtectedRef(
        provenancePredicate({ ...env, CI_COMMIT_REF_PROTECTED: 'false' }, { component: '', inputs: {}, finishedOn: new Date(0) }),
      ),
    ).toBe(false);
  });

  it('records the build inputs that shape the image, as written, and never a credential', () => {
    expect(
      buildInputs({
        CIGEN_IMAGE: '$CI_REGISTRY_IMAGE',
        CIGEN_TAGS: 'list:["v1", "$CI_COMMIT_SHORT_SHA"]',
        CIGEN_PUSH: 'true',
        CIGEN_REGISTRY_PASSWORD: '$CI_REGISTRY_PASSWORD',
        CIGEN_REGISTRIES: 'list:[]',
      }),
    ).toEqual({ image: '$CI_REGISTRY_IMAGE', tags: '["v1", "$CI_COMMIT_SHORT_SHA"]', push: 'true' });
  });

  it("a multi-platform, reproducible, annotated build: its platforms, timestamps, annotations and tag rules, not only 'platform'", () => {
    expect(
      buildInputs({
        CIGEN_PLATFORM: '',
        CIGEN_PLATFORMS: 'list:["linux/amd64", "linux/arm64"]',
        CIGEN_REPRODUCIBLE: 'true',
        CIGEN_ANNOTATIONS: 'list:["org.opencontainers.image.description=The app"]',
        CIGEN_TAG_RULES: 'list:["ref", "semver:{{version}}"]',
        CIGEN_SECRETS: 'list:["id=npmrc,src=$NPMRC"]',
        CIGEN_SSH: '$DEPLOY_KEY',
      }),
    ).toEqual({
      platform: '',
      platforms: '["linux/amd64", "linux/arm64"]',
      reproducible: 'true',
      annotations: '["org.opencontainers.image.description=The app"]',
      'tag-rules': '["ref", "semver:{{version}}"]',
    });
  });

  it('docs/supply-chain.md lists the inputs recorded, all of them', () => {
    const docs = readFileSync(new URL('../../docs/supply-chain.md', import.meta.url), 'utf8');
    const listed = /\| `externalParameters\.inputs` \| the build's inputs that shape the image \(([^)]*)\)/.exec(docs)?.[1];
    expect(listed?.split(', ')).toEqual(PROVENANCE_INPUTS);
  });

  it('the builder switch hands the provenance job every input it records', () => {
    const buildah = findComponent('buildah')!;
    const jobs = buildah.jobs() as Record<string, { variables?: Record<string, unknown> }>;
    const provenance = Object.entries(jobs).find(([name]) => name.endsWith(':provenance'))![1];
    const variables = Object.keys(provenance.variables ?? {});
    for (const name of PROVENANCE_INPUTS)
      expect(variables, name).toContain((CORE_INPUTS as Record<string, { variable?: string }>)[name]?.variable);
    expect(variables).not.toContain('CIGEN_SECRETS');
    expect(variables).not.toContain('CIGEN_SSH');
  });
});

describe('flags over a policy file, part by part', () => {
  const FILE: PolicyInput = {
    issuer: 'https://gitlab.example.com',
    project: 'group/app',
    refPattern: 'refs/heads/main',
    require: ['sbom'],
    protectedRef: true,
  };
  it("--ref-pattern alone replaces the ref pattern of the file's project; the issuer stays", () => {
    expect(withFlags(FILE, { refPattern: 'refs/tags/.*' })).toEqual({ ...FILE, refPattern: 'refs/tags/.*' });
  });
  it("--project replaces the file's signer with its ref pattern, and keeps the issuer", () => {
    expect(withFlags(FILE, { project: 'group/other' })).toEqual({
      issuer: FILE.issuer,
      project: 'group/other',
      require: ['sbom'],
      protectedRef: true,
      signerFlag: '--project',
    });
  });
  it('--certificate-identity replaces the project; --certificate-oidc-issuer the issuer', () => {
    expect(withFlags(FILE, { subject: 'a@b', issuer: 'https://other' })).toEqual({
      issuer: 'https://other',
      subject: 'a@b',
      require: ['sbom'],
      protectedRef: true,
      signerFlag: '--certificate-identity',
    });
  });
  it("--key replaces the whole identity; an identity flag replaces the file's key", () => {
    expect(withFlags(FILE, { key: 'k.pub' })).toEqual({ key: 'k.pub', require: ['sbom'], protectedRef: true, signerFlag: '--key' });
    expect(withFlags({ key: 'file.pub' }, { issuer: 'https://i', project: 'g/p' })).toEqual({
      issuer: 'https://i',
      project: 'g/p',
      signerFlag: '--project',
    });
  });
  it("a lone --certificate-oidc-issuer names no signer: the file's key stays, and the refusal names both", () => {
    const merged = withFlags({ key: 'file.pub' }, { issuer: 'https://gitlab.example.com' });
    expect(merged).toEqual({ key: 'file.pub', issuer: 'https://gitlab.example.com' });
    expect(() => identityOf(merged)).toThrow('give a key or an identity (issuer with subject, subject-regexp or project), not both');
    // Where the file named its key, when it says.
    const placed = withFlags({ key: 'file.pub', signerAt: { keys: ['key'], at: 'p.yml:1:1' } }, { issuer: 'https://gitlab.example.com' });
    expect(() => identityOf(placed)).toThrow(
      new UsageError(
        "--certificate-oidc-issuer and the policy file's key (p.yml:1:1): give a key or an identity (issuer with subject, subject-regexp or project), not both",
      ),
    );
  });
  it("what of the file's a signer flag replaced is kept for a refusal to name; without one, it is not", () => {
    const signerAt = { keys: ['identity.project', 'identity.ref-pattern'], at: 'p.yml:4:3' };
    expect(withFlags({ ...FILE, signerAt }, { project: 'group/other' })).toMatchObject({ signerFlag: '--project', signerAt });
    expect(withFlags({ ...FILE, signerAt }, { refPattern: 'refs/tags/.*' })).toEqual({ ...FILE, refPattern: 'refs/tags/.*' });
    // --ref-pattern then names the refs of the flag's project: taken.
    expect(identityOf(withFlags({ ...FILE, signerAt, protectedRefAt: 'p.yml:1:1' }, { project: 'g/q', refPattern: 'main' }))).toMatchObject(
      {
        issuer: FILE.issuer,
      },
    );
  });
  it('no flags: the file as it is', () => {
    expect(withFlags(FILE, {})).toEqual(FILE);
    expect(withFlags({ key: 'file.pub' }, {})).toEqual({ key: 'file.pub' });
  });
  it('the docs example with --ref-pattern is an identity, not a usage error', () => {
    expect(identityOf(withFlags(FILE, { refPattern: 'refs/tags/.*' }))).toMatchObject({ issuer: FILE.issuer });
  });
});

describe('what signing needs, and a registry that cannot be reached', () => {
  const BASE: SigningOptions = { fulcioUrl: 'https://fulcio.sigstore.dev', rekorUrl: 'https://rekor.sigstore.dev', tsaUrl: '' };
  it('refuses before anything is read: no identity, a token that is no JWT, a service that is no URL', () => {
    const JWT = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln';
    expect(() => checkSigning(BASE)).toThrow(/^no identity to sign with: keyless signing needs the OIDC token in SIGSTORE_ID_TOKEN/);
    for (const token of ['x', 'a.b.c', 'aaa.bbb.ccc', `${JWT}.d`])
      expect(() => checkSigning({ ...BASE, identityToken: token }), token).toThrow(
        'SIGSTORE_ID_TOKEN is not an OIDC token (a JWT: three dot-separated base64url parts, the second a JSON object)',
      );
    expect(() => checkSigning({ ...BASE, identityToken: JWT, rekorUrl: 'notaurl' })).toThrow('--rekor-url notaurl: not an http(s) URL');
    expect(() => checkSigning({ ...BASE, identityToken: JWT, tsaUrl: 'ftp://t' })).toThrow('--tsa-url ftp://t: not an http(s) URL');
    // Empty: no timestamp authority; an empty Fulcio or Rekor (an unset variable) is refused.
    expect(() => checkSigning({ ...BASE, identityToken: JWT, rekorUrl: '' })).toThrow('--rekor-url : not an http(s) URL');
    expect(() => checkSigning({ ...BASE, identityToken: JWT, fulcioUrl: '' })).toThrow('--fulcio-url : not an http(s) URL');
    expect(() => checkSigning({ ...BASE, identityToken: JWT })).not.toThrow();
    // A key is read at once: a wrong one is found before any registry is asked.
    expect(() => checkSigning({ ...BASE, key: { pem: 'not a key', password: '', name: 'k.pem' } })).toThrow(
      new InputError('the signing key k.pem cannot be read: it is not a PEM private key'),
    );
  });

  it("a key that cannot be read: why, told from its text (encrypted, without a password or with a wrong one; not a key; cosign's format)", () => {
    const read = (pem: string, password: string) => () => checkSigning({ ...BASE, key: { pem, password, name: 'cosign.key' } });
    const why = (reason: string) => new InputError(`the signing key cosign.key cannot be read: ${reason}`);
    // openssl genpkey ... -aes256 (the docs' command) writes PKCS#8; openssl ec -aes256 the traditional form.
    for (const type of ['pkcs8', 'sec1'] as const) {
      const pem = generateKeyPairSync('ec', {
        namedCurve: 'P-256',
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type, format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right' },
      }).privateKey;
      expect(pem).toMatch(type === 'pkcs8' ? /BEGIN ENCRYPTED PRIVATE KEY/ : /Proc-Type: 4,ENCRYPTED/);
      expect(read(pem, ''), type).toThrow(why('it is encrypted and no password was given'));
      expect(read(pem, 'wrong'), type).toThrow(why('it is encrypted, and the password given does not decrypt it'));
      expect(read(pem, 'right'), type).not.toThrow();
    }
    const plain = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(read(plain, ''), 'a public key').toThrow(why('it is not a PEM private key'));
    const cosign = '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\neyJrZGYiOnt9fQ==\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n';
    expect(read(cosign, 'pw')).toThrow(
      why("it is in cosign's own format (ENCRYPTED SIGSTORE PRIVATE KEY), which cigen does not read: export it to PKCS#8 PEM"),
    );
  });

  it('the sbom command says it before the registry is read (it said "fetch failed", an internal error)', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const env = { SIGSTORE_ID_TOKEN: '' };
    const result = cigen(['sbom', `127.0.0.1:9/g/app@${digest}`], { env });
    expect(result).toMatchObject({ status: 2 });
    expect(result.stderr).toMatch(/^no identity to sign with: /);
  });

  it('a registry that refuses connections: one line naming it (exit 1), not an internal error', async () => {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((done) => server.close(() => done()));
    const reader = new RegistryReader(parseDigestReference(`127.0.0.1:${port}/g/app@sha256:${'a'.repeat(64)}`), undefined);
    await expect(reader.manifest(`sha256:${'a'.repeat(64)}`)).rejects.toThrow(
      new InputError(`cannot reach 127.0.0.1:${port}: ECONNREFUSED`),
    );
  });
});

describe('what the supply-chain docs promise', () => {
  const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

  it('the verify page promises no cluster policy the docs do not give', () => {
    const page = read('components/verify/README.md.hbs');
    const docs = read('docs/supply-chain.md');
    const promised = /\bpolicies\b/.test(page.replace(/no cluster policies/g, ''));
    const given = /kind: Cluster(?:Image)?Policy/.test(docs);
    expect(!promised || given).toBe(true);
  });

  it("for an index, the cosign SBOM check is shown against each platform's image, where the SBOM is attached", () => {
    const docs = read('docs/supply-chain.md');
    // A loop over the report's list of the platforms' images (PLATFORM=IMAGE@DIGEST), checking each image.
    const loops = [
      ...docs.matchAll(
        /for (\w+) in \$CIGEN_BUILT_PLATFORM_REFS; do\n\s*cosign verify-attestation --type cyclonedx[^`]*?\n\s*("?\S+"?)\ndone\n/g,
      ),
    ];
    expect(loops.map((m) => m[2])).toEqual([`"\${${loops[0]?.[1]}#*=}"`]);
  });
});
