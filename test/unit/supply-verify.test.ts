/**
 * `cigen verify`'s core, each refusal with its exact reason: bundles signed here against the
 * local Sigstore stand-in (Fulcio, Rekor, a timestamp authority from @sigstore/mock, in a node
 * process of its own) and with keys, then checked by checkBundle and decided by the policy —
 * no registry involved (the e2e tier adds it).
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitlabIdentityRegExp } from '../../src/supply/policy.js';
import { provenancePredicate } from '../../src/supply/provenance.js';
import { signStatement, type SigningOptions } from '../../src/supply/signing.js';
import { statement, type AttestationKind } from '../../src/supply/statement.js';
import { parseTrustedRoot, trustMaterial } from '../../src/supply/trust.js';
import { InputError } from '../../src/errors.js';
import {
  acceptedJson,
  acceptedLines,
  checkBundle,
  decide,
  type BundleVerdict,
  type Expected,
  type Policy,
} from '../../src/supply/verify.js';
import { gitlabIdToken, startSigstoreStandIn, type SigstoreStandIn } from '../e2e/lib/sigstore-standin.js';

const SERVER = 'https://gitlab.example.com';
const IMAGE = 'registry.example.com/group/app';
const DIGEST = `sha256:${'1'.repeat(64)}`;
const OTHER = `sha256:${'2'.repeat(64)}`;
const IDENTITY = `${SERVER}/group/app//.gitlab-ci.yml@refs/heads/main`;

let dir: string;
let sigstore: SigstoreStandIn;
const pem = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString();
const keys = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ours = keys();
const theirs = keys();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cigen-supply-unit-'));
  sigstore = await startSigstoreStandIn(dir);
});
afterAll(async () => {
  await sigstore?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const services = (): Omit<SigningOptions, 'identityToken' | 'key'> => ({
  fulcioUrl: sigstore.fulcioUrl,
  rekorUrl: sigstore.rekorUrl,
  tsaUrl: sigstore.tsaUrl,
});
const keyless = (project = 'group/app', ref = 'main'): SigningOptions => ({
  ...services(),
  identityToken: gitlabIdToken({ server: SERVER, project, ref }),
});
const withKey = (key = ours.privateKey): SigningOptions => ({ ...services(), key: { pem: pem(key), password: '', name: 'cosign.key' } });
const sign = (options: SigningOptions, kind: AttestationKind = 'signature', digest = DIGEST, predicate: unknown = {}) =>
  signStatement(statement(IMAGE, digest, kind, predicate), options);
const trust = (key?: KeyObject) => trustMaterial(parseTrustedRoot(readFileSync(sigstore.trustedRoot, 'utf8'), 'root'), key);
const byProject: Expected = { mode: 'identity', issuer: SERVER, subjectRegExp: `^${SERVER}/group/app//.+@refs/heads/main$` };
const byKey = (key: KeyObject, name = 'cosign.pub'): Expected => ({ mode: 'key', key, name });

describe('each bundle, checked', () => {
  it('accepts a keyless signature by the expected identity, and names who signed', async () => {
    expect(checkBundle(await sign(keyless()), DIGEST, trust(), byProject)).toEqual({
      kind: 'signature',
      predicateType: 'https://sigstore.dev/cosign/sign/v1',
      signer: `${IDENTITY} (issuer ${SERVER})`,
      predicate: {},
    });
  });

  it('refuses another identity: another project, another ref, another issuer', async () => {
    const bundle = await sign(keyless('group/other', 'feature'));
    const other = `${SERVER}/group/other//.gitlab-ci.yml@refs/heads/feature`;
    expect(checkBundle(bundle, DIGEST, trust(), byProject).problem).toBe(
      `signed by ${other} (issuer ${SERVER}), not by an identity matching /^${SERVER}/group/app//.+@refs/heads/main$/ (issuer ${SERVER})`,
    );
    expect(
      checkBundle(await sign(keyless()), DIGEST, trust(), { mode: 'identity', issuer: 'https://gitlab.com', subject: IDENTITY }).problem,
    ).toBe(`signed by ${IDENTITY} (issuer ${SERVER}), not by ${IDENTITY} (issuer https://gitlab.com)`);
  });

  it("--project: a signer whose CI config is kept in another project is the project's; a branch named feature@refs/heads/main is not main", async () => {
    const main: Expected = {
      mode: 'identity',
      issuer: SERVER,
      subjectRegExp: gitlabIdentityRegExp(SERVER, 'group/app', 'refs/heads/main'),
    };
    const token = (ref: string, configPath?: string) => ({
      ...services(),
      identityToken: gitlabIdToken({ server: SERVER, project: 'group/app', ref, ...(configPath ? { configPath } : {}) }),
    });
    const external = `${SERVER}/group/app//.gitlab-ci.yml@group/compliance@refs/heads/main`;
    expect(checkBundle(await sign(token('main', '.gitlab-ci.yml@group/compliance')), DIGEST, trust(), main)).toEqual({
      kind: 'signature',
      predicateType: 'https://sigstore.dev/cosign/sign/v1',
      signer: `${external} (issuer ${SERVER})`,
      predicate: {},
    });
    const forged = `${SERVER}/group/app//.gitlab-ci.yml@refs/heads/feature@refs/heads/main`;
    expect(checkBundle(await sign(token('feature@refs/heads/main')), DIGEST, trust(), main).problem).toBe(
      `signed by ${forged} (issuer ${SERVER}), not by an identity matching /${main.subjectRegExp}/ (issuer ${SERVER})`,
    );
  });

  it('a regular expression must match the whole identity; an issuer is the same with a trailing slash', async () => {
    const evil = await sign(keyless('group/app', 'main-evil'));
    const prefix: Expected = { mode: 'identity', issuer: SERVER, subjectRegExp: `${SERVER}/group/app//.gitlab-ci.yml@refs/heads/main` };
    expect(checkBundle(evil, DIGEST, trust(), prefix).problem).toBe(
      `signed by ${SERVER}/group/app//.gitlab-ci.yml@refs/heads/main-evil (issuer ${SERVER}), ` +
        `not by an identity matching /${SERVER}/group/app//.gitlab-ci.yml@refs/heads/main/ (issuer ${SERVER})`,
    );
    expect(checkBundle(await sign(keyless()), DIGEST, trust(), prefix)).toMatchObject({ kind: 'signature' });
    expect(checkBundle(await sign(keyless()), DIGEST, trust(), { ...byProject, issuer: `${SERVER}/` }).problem).toBeUndefined();
  });

  it('accepts a key signature with its public key, refuses it with another', async () => {
    const bundle = await sign(withKey());
    expect(checkBundle(bundle, DIGEST, trust(ours.publicKey), byKey(ours.publicKey))).toMatchObject({
      kind: 'signature',
      signer: 'the key cosign.pub',
    });
    expect(checkBundle(bundle, DIGEST, trust(theirs.publicKey), byKey(theirs.publicKey, 'wrong.pub')).problem).toBe(
      'the signature does not verify with the key wrong.pub',
    );
  });

  it('refuses a key signature where an identity is expected, and the other way round', async () => {
    expect(checkBundle(await sign(withKey()), DIGEST, trust(), byProject).problem).toBe(
      `signed with a key, not keylessly by an identity matching /^${SERVER}/group/app//.+@refs/heads/main$/ (issuer ${SERVER})`,
    );
    expect(checkBundle(await sign(keyless()), DIGEST, trust(ours.publicKey), byKey(ours.publicKey)).problem).toBe(
      `signed keylessly by ${IDENTITY}, not with the key cosign.pub`,
    );
  });

  it('refuses a valid signature about another digest (copied onto this image)', async () => {
    const verdict = checkBundle(await sign(keyless(), 'signature', OTHER), DIGEST, trust(), byProject);
    expect(verdict).toMatchObject({
      kind: 'signature',
      problem: `its statement is about ${OTHER}, not ${DIGEST}: it was made for another image`,
    });
  });

  it('refuses a bundle whose envelope was changed after signing, and one that is not a bundle', async () => {
    const bundle = (await sign(keyless())) as { dsseEnvelope: { payload: string } };
    const changed = Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString().replace('1111', '3333');
    const tampered = { ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope, payload: Buffer.from(changed).toString('base64') } };
    expect(checkBundle(tampered, DIGEST, trust(), byProject).problem).toMatch(/^the signature does not verify: /);
    expect(checkBundle({ mediaType: 'x' }, DIGEST, trust(), byProject).problem).toMatch(/^not a Sigstore bundle: /);
  });
});

describe('the trusted root file', () => {
  const standIn = () => JSON.parse(readFileSync(sigstore.trustedRoot, 'utf8')) as Record<string, unknown>;
  const refusal = (root: unknown, mode?: 'identity' | 'key') => {
    try {
      parseTrustedRoot(typeof root === 'string' ? root : JSON.stringify(root), 'root.json', mode);
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return (error as Error).message;
    }
    return 'taken';
  };
  const TUF_ROOT = {
    signed: {
      _type: 'root',
      spec_version: '1.0',
      version: 5,
      expires: '2027-01-01T00:00:00Z',
      keys: {},
      roles: {},
      consistent_snapshot: true,
    },
    signatures: [],
  };
  const WANTED = 'application/vnd.dev.sigstore.trustedroot.v0.2+json or another version of it';

  // Each is JSON that TrustedRoot.fromJSON turns into an empty root: every image would be refused
  // as if its signature were broken, for the file's mistake.
  it.each([
    ['{}', {}, `root.json is not a Sigstore trusted root: it has no mediaType (${WANTED})`],
    ['a package.json', { name: 'app', version: '1.0.0' }, `root.json is not a Sigstore trusted root: it has no mediaType (${WANTED})`],
    [
      "a TUF repository's root.json",
      TUF_ROOT,
      'root.json is not a Sigstore trusted root: it has the top-level signed and signatures of TUF metadata, ' +
        "as a TUF repository's root.json does; give the trusted root the repository serves as a target " +
        '(trusted_root.json, mediaType application/vnd.dev.sigstore.trustedroot…+json)',
    ],
    [
      'a signing config',
      { mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json' },
      `root.json is not a Sigstore trusted root: its mediaType is "application/vnd.dev.sigstore.signingconfig.v0.2+json", not ${WANTED}`,
    ],
    ['an array', [], 'root.json is not a Sigstore trusted root: it is not a JSON object'],
    [
      'a trusted root with nothing in it',
      { mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1' },
      'root.json is not a Sigstore trusted root: it lists no transparency log (tlogs), and every signature cigen verifies must be in one',
    ],
  ])('refuses %s, naming the file', (_name, root, message) => {
    expect(refusal(root)).toBe(message);
    expect(refusal(root, 'key')).toBe(message);
  });

  it('refuses a root without a certificate authority for a keyless signer, takes it for a key', () => {
    const root = { ...standIn(), certificateAuthorities: [] };
    expect(refusal(root)).toBe(
      'root.json is not a Sigstore trusted root: it lists no certificate authority (certificateAuthorities), ' +
        'and a keyless signature is checked against one',
    );
    expect(refusal(root, 'key')).toBe('taken');
  });

  it('refuses a log whose key cannot be read, rather than failing on it later', () => {
    const root = standIn();
    expect(refusal({ ...root, tlogs: [{ baseUrl: 'https://rekor.example.com' }] })).toMatch(
      /^root\.json is not a Sigstore trusted root: its keys and certificates cannot be read: /,
    );
  });

  it('takes each media type of a trusted root, and verifies against it', async () => {
    const bundle = await sign(keyless());
    for (const mediaType of [
      'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      'application/vnd.dev.sigstore.trustedroot.v0.1+json',
      'application/vnd.dev.sigstore.trustedroot.v0.2+json',
    ]) {
      const root = parseTrustedRoot(JSON.stringify({ ...standIn(), mediaType }), 'root.json');
      expect(checkBundle(bundle, DIGEST, trustMaterial(root), byProject).problem, mediaType).toBeUndefined();
    }
  });
});

describe('the policy, over every bundle found', () => {
  const policy = (over: Partial<Policy> = {}): Policy => ({
    expected: byProject,
    require: ['sbom', 'provenance'],
    protectedRef: false,
    ...over,
  });
  const verdicts = async (
    kinds: AttestationKind[],
    env: Record<string, string> = { CI_COMMIT_REF_PROTECTED: 'true', CI_COMMIT_REF_NAME: 'main' },
  ) =>
    Promise.all(
      kinds.map(async (kind) =>
        checkBundle(
          await sign(
            keyless(),
            kind,
            DIGEST,
            kind === 'provenance' ? provenancePredicate(env, { component: 'buildah', inputs: {}, finishedOn: new Date(0) }) : {},
          ),
          DIGEST,
          trust(),
          byProject,
        ),
      ),
    );

  it('accepts a signature, an SBOM and a provenance by the expected identity', async () => {
    const verdict = decide(IMAGE, DIGEST, await verdicts(['signature', 'sbom', 'provenance']), policy({ protectedRef: true }));
    expect(verdict.reasons).toEqual([]);
    expect(verdict.ok).toBe(true);
    expect(Object.keys(verdict.accepted).sort()).toEqual(['provenance', 'sbom', 'signature']);
  });

  it('--protected-ref over two provenances of the same digest: the one from a protected ref counts, in either order', async () => {
    const [signature, sbom] = await verdicts(['signature', 'sbom']);
    const [protectedOne] = await verdicts(['provenance']);
    // Signed by a pipeline of main while main was not protected: a provenance the identity accepts.
    const [branchOne] = await verdicts(['provenance'], { CI_COMMIT_REF_PROTECTED: 'false', CI_COMMIT_REF_NAME: 'main' });
    expect(branchOne?.problem).toBeUndefined();
    for (const provenances of [
      [branchOne, protectedOne],
      [protectedOne, branchOne],
    ]) {
      const verdict = decide(IMAGE, DIGEST, [signature!, sbom!, ...(provenances as BundleVerdict[])], policy({ protectedRef: true }));
      expect(verdict.reasons).toEqual([]);
      expect(verdict.accepted.provenance).toBe(protectedOne);
    }
    const refused = decide(IMAGE, DIGEST, [signature!, sbom!, branchOne!, branchOne!], policy({ protectedRef: true }));
    expect(refused.reasons).toEqual(['provenance attestation (SLSA v1): built from refs/heads/main, which was not a protected ref']);
  });

  it('no bundle at all: no signature, and each attestation required missing', () => {
    expect(decide(IMAGE, DIGEST, [], policy({ require: [] })).reasons).toEqual([
      `no signature: ${IMAGE} has no Sigstore bundle attached to ${DIGEST}`,
    ]);
    expect(decide(IMAGE, DIGEST, [], policy()).reasons).toEqual([
      `no signature: ${IMAGE} has no Sigstore bundle attached to ${DIGEST}`,
      `no SBOM attestation (CycloneDX or SPDX) for ${IMAGE}@${DIGEST}`,
      `no provenance attestation (SLSA v1) for ${IMAGE}@${DIGEST}`,
    ]);
  });

  it('a missing attestation, each named', async () => {
    expect(decide(IMAGE, DIGEST, await verdicts(['signature']), policy()).reasons).toEqual([
      `no SBOM attestation (CycloneDX or SPDX) for ${IMAGE}@${DIGEST}`,
      `no provenance attestation (SLSA v1) for ${IMAGE}@${DIGEST}`,
    ]);
  });

  it('an attestation by the wrong signer is reported as that, not as missing', async () => {
    const wrong = checkBundle(await sign(keyless('group/other'), 'sbom'), DIGEST, trust(), byProject);
    const reasons = decide(IMAGE, DIGEST, [...(await verdicts(['signature', 'provenance'])), wrong], policy()).reasons;
    expect(reasons).toEqual([
      `SBOM attestation (CycloneDX): signed by ${SERVER}/group/other//.gitlab-ci.yml@refs/heads/main (issuer ${SERVER}), ` +
        `not by an identity matching /^${SERVER}/group/app//.+@refs/heads/main$/ (issuer ${SERVER})`,
    ]);
  });

  it('an SPDX SBOM (signed by another tool) is named SPDX, accepted or refused; a missing SBOM may be either', async () => {
    const spdx = (project = 'group/app') =>
      signStatement(
        { ...statement(IMAGE, DIGEST, 'sbom', { spdxVersion: 'SPDX-2.3' }), predicateType: 'https://spdx.dev/Document' },
        keyless(project),
      );
    const found = checkBundle(await spdx(), DIGEST, trust(), byProject);
    expect(found).toMatchObject({ kind: 'sbom', predicateType: 'https://spdx.dev/Document' });
    const signer = `${IDENTITY} (issuer ${SERVER})`;
    const [signature] = await verdicts(['signature']);
    const accepted = decide(IMAGE, DIGEST, [signature!, found], policy({ require: ['sbom'] }));
    expect(accepted.ok).toBe(true);
    expect(acceptedLines(accepted)).toEqual([`✓ signature: signed by ${signer}`, `✓ SBOM attestation (SPDX): signed by ${signer}`]);
    const wrong = checkBundle(await spdx('group/other'), DIGEST, trust(), byProject);
    expect(decide(IMAGE, DIGEST, [signature!, wrong], policy({ require: ['sbom'] })).reasons).toEqual([
      `SBOM attestation (SPDX): signed by ${SERVER}/group/other//.gitlab-ci.yml@refs/heads/main (issuer ${SERVER}), ` +
        `not by an identity matching /^${SERVER}/group/app//.+@refs/heads/main$/ (issuer ${SERVER})`,
    ]);
  });

  it('an index: an SBOM is required of each platform image, not of one of them', async () => {
    const [amd64, arm64] = [`sha256:${'a'.repeat(64)}`, `sha256:${'b'.repeat(64)}`];
    const platforms = [
      { digest: amd64, platform: 'linux/amd64' },
      { digest: arm64, platform: 'linux/arm64' },
    ];
    const [signature, provenance] = await verdicts(['signature', 'provenance']);
    const sbomOf = async (digest: string, project = 'group/app') => ({
      ...checkBundle(await sign(keyless(project), 'sbom', digest), digest, trust(), byProject),
      subject: digest,
    });
    const one = [signature!, provenance!, await sbomOf(amd64)];
    expect(decide(IMAGE, DIGEST, one, policy(), platforms).reasons).toEqual([
      `no SBOM attestation (CycloneDX or SPDX) for ${IMAGE}@${arm64} (linux/arm64)`,
    ]);
    const wrongSigner = [...one, await sbomOf(arm64, 'group/other')];
    expect(decide(IMAGE, DIGEST, wrongSigner, policy(), platforms).reasons).toEqual([
      `SBOM attestation (CycloneDX) (linux/arm64): signed by ${SERVER}/group/other//.gitlab-ci.yml@refs/heads/main (issuer ${SERVER}), ` +
        `not by an identity matching /^${SERVER}/group/app//.+@refs/heads/main$/ (issuer ${SERVER})`,
    ]);
    expect(decide(IMAGE, DIGEST, [...one, await sbomOf(arm64)], policy(), platforms).ok).toBe(true);
  });

  it("an index: the SBOM is accepted for it only when each platform's is; each platform's SBOM is said on its own", async () => {
    const [amd64, arm64] = [`sha256:${'a'.repeat(64)}`, `sha256:${'b'.repeat(64)}`];
    const platforms = [
      { digest: amd64, platform: 'linux/amd64' },
      { digest: arm64, platform: 'linux/arm64' },
    ];
    const [signature, provenance] = await verdicts(['signature', 'provenance']);
    const sbomOf = async (digest: string) => ({
      ...checkBundle(await sign(keyless(), 'sbom', digest), digest, trust(), byProject),
      subject: digest,
    });
    const signer = `${IDENTITY} (issuer ${SERVER})`;
    const partly = decide(IMAGE, DIGEST, [signature!, provenance!, await sbomOf(amd64)], policy(), platforms);
    expect(partly.ok).toBe(false);
    expect(Object.keys(partly.accepted).sort()).toEqual(['provenance', 'signature']);
    expect(acceptedLines(partly)).toEqual([
      `✓ signature: signed by ${signer}`,
      `✓ SBOM attestation (CycloneDX) (linux/amd64): signed by ${signer}`,
      `✓ provenance attestation (SLSA v1): signed by ${signer}`,
    ]);
    expect(acceptedJson(partly)).toEqual({ signature: { signer }, provenance: { signer } });
    // Not required, it is still not said to be accepted for the index.
    const unrequired = decide(IMAGE, DIGEST, [signature!, await sbomOf(amd64)], policy({ require: [] }), platforms);
    expect(unrequired.ok).toBe(true);
    expect(acceptedJson(unrequired)).toEqual({ signature: { signer } });

    const whole = decide(IMAGE, DIGEST, [signature!, provenance!, await sbomOf(arm64), await sbomOf(amd64)], policy(), platforms);
    expect(whole.ok).toBe(true);
    expect(acceptedLines(whole)).toEqual([
      `✓ signature: signed by ${signer}`,
      `✓ SBOM attestation (CycloneDX) (linux/amd64): signed by ${signer}`,
      `✓ SBOM attestation (CycloneDX) (linux/arm64): signed by ${signer}`,
      `✓ provenance attestation (SLSA v1): signed by ${signer}`,
    ]);
    expect(acceptedJson(whole)).toEqual({
      signature: { signer },
      sbom: {
        signer,
        platforms: [
          { platform: 'linux/amd64', digest: amd64, signer },
          { platform: 'linux/arm64', digest: arm64, signer },
        ],
      },
      provenance: { signer },
    });
  });

  it('an image that is no index: one SBOM line, and `accepted.sbom` as before', async () => {
    const verdict = decide(IMAGE, DIGEST, await verdicts(['signature', 'sbom']), policy({ require: ['sbom'] }));
    const signer = `${IDENTITY} (issuer ${SERVER})`;
    expect(acceptedLines(verdict)).toEqual([`✓ signature: signed by ${signer}`, `✓ SBOM attestation (CycloneDX): signed by ${signer}`]);
    expect(acceptedJson(verdict)).toEqual({ signature: { signer }, sbom: { signer } });
  });

  it("a provenance whose ref is not its signer's: refused, whatever it says of protection", async () => {
    // A pipeline of `main-evil` that sets CI_COMMIT_REF_NAME=main and CI_COMMIT_REF_PROTECTED=true in its own variables.
    const anyRef: Expected = { mode: 'identity', issuer: SERVER, subjectRegExp: `^${SERVER}/group/app//.+@refs/heads/.+$` };
    const predicate = provenancePredicate(
      { CI_COMMIT_REF_PROTECTED: 'true', CI_COMMIT_REF_NAME: 'main' },
      { component: 'buildah', inputs: {}, finishedOn: new Date(0) },
    );
    const bundle = await sign(keyless('group/app', 'main-evil'), 'provenance', DIGEST, predicate);
    expect(checkBundle(bundle, DIGEST, trust(), anyRef)).toMatchObject({
      kind: 'provenance',
      problem: 'it says the image was built from refs/heads/main, but a pipeline of refs/heads/main-evil signed it',
    });
  });

  it('the ref is read after the config path, even one in another project (`@` in it)', async () => {
    const anyRef: Expected = { mode: 'identity', issuer: SERVER, subjectRegExp: `^${SERVER}/group/app//.+$` };
    const predicate = provenancePredicate({ CI_COMMIT_REF_NAME: 'main' }, { component: 'buildah', inputs: {}, finishedOn: new Date(0) });
    const options = {
      ...services(),
      identityToken: gitlabIdToken({
        server: SERVER,
        project: 'group/app',
        ref: 'evil',
        configPath: '.gitlab-ci.yml@compliance/pipelines',
      }),
    };
    expect(checkBundle(await sign(options, 'provenance', DIGEST, predicate), DIGEST, trust(), anyRef)).toMatchObject({
      kind: 'provenance',
      problem: 'it says the image was built from refs/heads/main, but a pipeline of refs/heads/evil signed it',
    });
  });

  it('provenance from a ref that was not protected, when the policy asks for a protected one', async () => {
    const found = await verdicts(['signature', 'provenance'], { CI_COMMIT_REF_PROTECTED: 'false', CI_COMMIT_REF_NAME: 'main' });
    expect(decide(IMAGE, DIGEST, found, policy({ require: ['provenance'], protectedRef: true })).reasons).toEqual([
      'provenance attestation (SLSA v1): built from refs/heads/main, which was not a protected ref',
    ]);
    expect(decide(IMAGE, DIGEST, found.slice(0, 1), policy({ require: [], protectedRef: true })).reasons).toEqual([
      `no provenance attestation (SLSA v1) for ${IMAGE}@${DIGEST}, so nothing says it was built from a protected ref`,
    ]);
  });
});
