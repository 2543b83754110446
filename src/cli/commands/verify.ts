/** `cigen verify IMAGE@DIGEST`: the image's signature and attestations against who must have signed it. */
import { dirname, resolve } from 'node:path';
import { FindingsError } from '../../errors.js';
import { verifyImage } from '../../supply/check.js';
import { identityOf, parsePolicy, parseRequire, withFlags, type PolicyInput } from '../../supply/policy.js';
import { parseDigestReference } from '../../supply/reference.js';
import { parseTrustedRoot, publicTrustedRoot, readPublicKey, trustMaterial } from '../../supply/trust.js';
import { acceptedJson, acceptedLines, type Expected, type Policy } from '../../supply/verify.js';
import { readUserFile } from '../files.js';
import { escapeControl, writeJson } from '../output.js';
import { writeOut } from '../stdio.js';

export interface VerifyCommandOptions {
  certificateOidcIssuer?: string;
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  project?: string;
  refPattern?: string;
  key?: string;
  require: string[];
  protectedRef?: boolean;
  policy?: string;
  trustedRoot?: string;
  format: 'text' | 'json';
}

const defined = <T extends object>(record: T): Partial<T> =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;

export async function runVerify(image: string, options: VerifyCommandOptions): Promise<void> {
  parseDigestReference(image);
  const fromFile: PolicyInput = options.policy
    ? parsePolicy(await readUserFile(options.policy, `--policy ${options.policy}`), options.policy)
    : {};
  // A key named in the policy file is relative to it.
  if (fromFile.key && options.policy) fromFile.key = resolve(dirname(options.policy), fromFile.key);
  const flags: PolicyInput = defined({
    issuer: options.certificateOidcIssuer,
    subject: options.certificateIdentity,
    subjectRegExp: options.certificateIdentityRegexp,
    project: options.project,
    refPattern: options.refPattern,
    key: options.key,
  });
  const { protectedRefAt, ...merged } = withFlags(fromFile, flags);
  const input: PolicyInput = {
    ...merged,
    require: [...(fromFile.require ?? []), ...parseRequire(options.require, '--require')],
    protectedRef: Boolean(options.protectedRef || fromFile.protectedRef),
    // A refusal of protected-ref names the flag when it was passed, else the file's place.
    ...(!options.protectedRef && protectedRefAt !== undefined ? { protectedRefAt } : {}),
  };
  const identity = identityOf(input);
  const keyName = input.key as string;
  const expected: Expected = identity
    ? { mode: 'identity', ...identity }
    : { mode: 'key', key: readPublicKey(await readUserFile(keyName, `--key ${keyName}`), keyName), name: keyName };
  const policy: Policy = { expected, require: [...new Set(input.require)], protectedRef: input.protectedRef ?? false };
  const root = options.trustedRoot
    ? parseTrustedRoot(await readUserFile(options.trustedRoot, `--trusted-root ${options.trustedRoot}`), options.trustedRoot, expected.mode)
    : await publicTrustedRoot();
  const verdict = await verifyImage(image, policy, trustMaterial(root, expected.mode === 'key' ? expected.key : undefined), process.env);
  if (options.format === 'json') {
    writeJson(
      {
        image: verdict.image,
        verified: verdict.ok,
        reasons: verdict.reasons,
        accepted: acceptedJson(verdict),
      },
      2,
    );
  } else {
    for (const line of acceptedLines(verdict)) writeOut(`${escapeControl(line)}\n`);
  }
  if (!verdict.ok)
    throw new FindingsError(`cigen verify: ${verdict.image} refused:\n${verdict.reasons.map((r) => `  ${escapeControl(r)}`).join('\n')}`);
  if (options.format === 'text') writeOut(`verified ${verdict.image}\n`);
}
