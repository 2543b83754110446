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

export function parseTrustedRoot(text: string, name: string): TrustedRoot {
  try {
    return TrustedRoot.fromJSON(JSON.parse(text));
  } catch (error) {
    throw new InputError(`${name} is not a Sigstore trusted root (JSON): ${(error as Error).message}`);
  }
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
