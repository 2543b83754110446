/**
 * What signatures are checked against (I/O at the edge): a trusted root file for a private
 * Sigstore (its Fulcio CA, Rekor and CT log keys, timestamp authorities, as
 * `application/vnd.dev.sigstore.trustedroot+json`), else the public Sigstore's, fetched and
 * verified through its TUF repository by @sigstore/tuf; and the public key a key-signed image is
 * checked with.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { getTrustedRoot } from '@sigstore/tuf';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import { InputError } from '../errors.js';

/**
 * The media types of a trusted root, as @sigstore/protobuf-specs names them: the current
 * `application/vnd.dev.sigstore.trustedroot.v0.2+json` (and `.v0.1+json`), and the older
 * `application/vnd.dev.sigstore.trustedroot+json;version=0.1`.
 */
const TRUSTED_ROOT_MEDIA_TYPE = /^application\/vnd\.dev\.sigstore\.trustedroot(?:\.v\d+(?:\.\d+)*)?\+json(?:;.*)?$/;

/**
 * A trusted root file, refused when it is not one. TrustedRoot.fromJSON takes any JSON object and
 * skips what it does not know, so `{}`, a package.json or a TUF root.json would come back as an
 * empty root against which every signature fails, the image blamed for the file's mistake. Every
 * signature cigen verifies must be in a transparency log, and a keyless one needs the certificate
 * authority that certified its key (a key-signed one may be timestamped by the log alone).
 */
export function parseTrustedRoot(text: string, name: string, mode: 'identity' | 'key' = 'identity'): TrustedRoot {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${name} is not a Sigstore trusted root (JSON): ${(error as Error).message}`);
  }
  const refuse = (why: string) => new InputError(`${name} is not a Sigstore trusted root: ${why}`);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw refuse('it is not a JSON object');
  const fields = json as Record<string, unknown>;
  if ('signed' in fields && 'signatures' in fields && !('mediaType' in fields))
    throw refuse(
      "it has the top-level signed and signatures of TUF metadata, as a TUF repository's root.json does; " +
        'give the trusted root the repository serves as a target (trusted_root.json, mediaType ' +
        'application/vnd.dev.sigstore.trustedroot…+json)',
    );
  const mediaType = fields.mediaType;
  const wanted = 'application/vnd.dev.sigstore.trustedroot.v0.2+json or another version of it';
  if (typeof mediaType !== 'string' || !TRUSTED_ROOT_MEDIA_TYPE.test(mediaType))
    throw refuse(
      mediaType === undefined ? `it has no mediaType (${wanted})` : `its mediaType is ${JSON.stringify(mediaType)}, not ${wanted}`,
    );
  let root: TrustedRoot;
  try {
    root = TrustedRoot.fromJSON(fields);
  } catch (error) {
    throw refuse((error as Error).message);
  }
  if (root.tlogs.length === 0) throw refuse('it lists no transparency log (tlogs), and every signature cigen verifies must be in one');
  if (mode === 'identity' && root.certificateAuthorities.length === 0)
    throw refuse('it lists no certificate authority (certificateAuthorities), and a keyless signature is checked against one');
  try {
    toTrustMaterial(root);
  } catch (error) {
    throw refuse(`its keys and certificates cannot be read: ${(error as Error).message}`);
  }
  return root;
}

export async function publicTrustedRoot(): Promise<TrustedRoot> {
  try {
    return await getTrustedRoot();
  } catch (error) {
    throw new InputError(`cannot get the public Sigstore trusted root through TUF: ${(error as Error).message}; give --trusted-root`);
  }
}

export function readPublicKey(pem: string, name: string): KeyObject {
  try {
    return createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new InputError(`${name} is not a PEM public key`);
  }
}

/** Trust material for the verifier: the root, and the one key a key-signed bundle may name. */
export function trustMaterial(root: TrustedRoot, key?: KeyObject): TrustMaterial {
  return toTrustMaterial(root, key ? () => ({ publicKey: key, validFor: () => true }) : undefined);
}
