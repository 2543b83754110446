/** `cigen verify IMAGE@DIGEST`: the image's signature and attestations against who must have signed it. */
import type { KeyObject } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { FindingsError, InputError, UsageError } from '../../errors.js';
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

/** The public key at `path`: named by `--key` (a file that cannot be read is a usage error, exit 2),
 *  or, with `fileSaid` (`FILE:LINE:COLUMN: key NAME`), by a policy file, whose mistake it is (exit 1). */
async function readKey(path: string, fileSaid: string | undefined): Promise<KeyObject> {
  if (fileSaid === undefined) return readPublicKey(await readUserFile(path, `--key ${path}`), path);
  let text: string;
  try {
    text = await readUserFile(path, fileSaid);
  } catch (error) {
    throw error instanceof UsageError ? new InputError(error.message) : error;
  }
  return readPublicKey(text, fileSaid);
}

export async function runVerify(image: string, options: VerifyCommandOptions): Promise<void> {
  parseDigestReference(image);
  const { keyAt, ...fromFile }: PolicyInput = options.policy
    ? parsePolicy(await readUserFile(options.policy, `--policy ${options.policy}`), options.policy)
    : {};
  // A key named in the policy file is relative to it; one that cannot be read, or is none, is the
  // file's mistake (exit 1), named by its place and as written, not a flag's (exit 2).
  const keyWritten = fromFile.key;
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
    : {
        mode: 'key',
        key: await readKey(keyName, options.key === undefined && keyAt ? `${keyAt}: key ${keyWritten}` : undefined),
        name: keyName,
      };
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
