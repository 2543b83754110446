/**
 * Signing (I/O: Fulcio, Rekor, a timestamp authority): a DSSE envelope over an in-toto statement,
 * packaged as a Sigstore bundle v0.3 by @sigstore/sign. Keyless with the job's OIDC token (Fulcio
 * issues a short-lived certificate for the identity GitLab vouches for), or with a key the project
 * keeps. Either way the signature goes to the Rekor transparency log, as cosign does by default.
 */
import { createHash, createPrivateKey, createPublicKey, sign as signData, type KeyObject } from 'node:crypto';
import { bundleToJSON } from '@sigstore/bundle';
import { DSSEBundleBuilder, FulcioSigner, RekorWitness, TSAWitness, type Signer, type Witness } from '@sigstore/sign';
import { InputError, UsageError } from '../errors.js';
import { IN_TOTO_PAYLOAD_TYPE, type Statement } from './statement.js';

export const PUBLIC_FULCIO = 'https://fulcio.sigstore.dev';
export const PUBLIC_REKOR = 'https://rekor.sigstore.dev';

export interface SigningOptions {
  fulcioUrl: string;
  rekorUrl: string;
  /** A timestamp authority; empty for none (Rekor's integrated time is the timestamp). */
  tsaUrl: string;
  /** Keyless: the job's OIDC token (id_tokens, audience sigstore). */
  identityToken?: string;
  /** With a key: its PEM text (PKCS#8, encrypted or not) and password. */
  key?: { pem: string; password: string; name: string };
}

/** An encrypted PEM private key: PKCS#8 (`ENCRYPTED PRIVATE KEY`), or traditional (`EC PRIVATE KEY`) with `Proc-Type: 4,ENCRYPTED`. */
const ENCRYPTED_PEM = /-----BEGIN ENCRYPTED PRIVATE KEY-----|^Proc-Type:[ \t]*4,ENCRYPTED/m;
/** cosign's own key format (`cosign generate-key-pair`), which OpenSSL does not read. */
const COSIGN_PEM = /-----BEGIN ENCRYPTED (SIGSTORE|COSIGN) PRIVATE KEY-----/;

/**
 * Why a private key cannot be read, from its text, not from the error: Node 20 says
 * ERR_OSSL_CRYPTO_INTERRUPTED_OR_CANCELLED (not Node's own ERR_MISSING_PASSPHRASE) of an encrypted
 * key without a password, PKCS#8 or traditional, and a wrong password can get past the decryption
 * and fail later, as something other than ERR_OSSL_BAD_DECRYPT (ERR_OSSL_UNSUPPORTED, about 1 in 200).
 */
function unreadableKey(pem: string, password: string): string {
  const cosign = COSIGN_PEM.exec(pem);
  if (cosign)
    return `it is in cosign's own format (ENCRYPTED ${cosign[1]} PRIVATE KEY), which cigen does not read: export it to PKCS#8 PEM`;
  if (!ENCRYPTED_PEM.test(pem)) return 'it is not a PEM private key';
  return password ? 'it is encrypted, and the password given does not decrypt it' : 'it is encrypted and no password was given';
}

/** The public key (SPKI PEM) of a private key the project keeps, read with its password. */
export function readPrivateKey(pem: string, password: string, name: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem', ...(password ? { passphrase: password } : {}) });
  } catch {
    throw new InputError(`the signing key ${name} cannot be read: ${unreadableKey(pem, password)}`);
  }
}

/** A hint that names a public key in a bundle: the sha256 of its DER form, as cosign's key ids are. */
export const keyHint = (key: KeyObject): string =>
  createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');

function keySigner(key: NonNullable<SigningOptions['key']>): Signer {
  const privateKey = readPrivateKey(key.pem, key.password, key.name);
  const publicKey = createPublicKey(privateKey);
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    sign: (data: Buffer) =>
      Promise.resolve({
        signature: signData('sha256', data, privateKey),
        key: { $case: 'publicKey', publicKey: pem, hint: keyHint(publicKey) },
      }),
  };
}

/** A JSON Web Token's shape: three base64url parts, the middle one (the claims) a JSON object. */
function isJwt(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => /^[A-Za-z0-9_-]*$/.test(part)) || !parts[0] || !parts[1]) return false;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return claims !== null && typeof claims === 'object' && !Array.isArray(claims);
  } catch {
    return false;
  }
}

/**
 * What signing needs, checked before anything is read, generated or sent: an identity (a key, or
 * an OIDC token that is a JWT) and services that are http(s) URLs. A usage error names the flag
 * or variable; never the token.
 */
export function checkSigning(options: SigningOptions): void {
  for (const [flag, url] of [
    ['--fulcio-url', options.fulcioUrl],
    ['--rekor-url', options.rekorUrl],
    ['--tsa-url', options.tsaUrl],
  ] as const) {
    // The timestamp authority is optional (empty: none); Fulcio and Rekor are not.
    if (url === '' && flag === '--tsa-url') continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol)) throw new UsageError(`${flag} ${url}: not an http(s) URL`);
  }
  if (options.key) {
    // A key that cannot be read (or a wrong password) is found now, not after an SBOM is made.
    readPrivateKey(options.key.pem, options.key.password, options.key.name);
    return;
  }
  const token = identityToken(options);
  if (!isJwt(token))
    throw new UsageError('SIGSTORE_ID_TOKEN is not an OIDC token (a JWT: three dot-separated base64url parts, the second a JSON object)');
}

/** Keyless signing's OIDC token, or why there is none. */
function identityToken(options: SigningOptions): string {
  if (!options.identityToken)
    throw new UsageError(
      'no identity to sign with: keyless signing needs the OIDC token in SIGSTORE_ID_TOKEN (id_tokens with aud: sigstore), or give a key',
    );
  return options.identityToken;
}

/** A service's URL as @sigstore/sign takes it: it appends `/api/...`, so a trailing slash (which the
 *  inputs and cosign accept) would make the path `//api/...`, which the services answer 404. */
const serviceBase = (url: string): string => url.replace(/\/+$/, '');

function signer(options: SigningOptions): Signer {
  if (options.key) return keySigner(options.key);
  const token = identityToken(options);
  return new FulcioSigner({ identityProvider: { getToken: () => Promise.resolve(token) }, fulcioBaseURL: serviceBase(options.fulcioUrl) });
}

/** Where a service failed, in one line that names the service and never the token. */
function serviceError(error: unknown, options: SigningOptions): InputError {
  const message = error instanceof Error ? error.message : String(error);
  const cause = (error as { cause?: unknown }).cause;
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  const token = options.identityToken;
  const text = `${message}${detail}`;
  return new InputError(`signing failed: ${token ? text.split(token).join('[token]') : text}`);
}

/** A Sigstore bundle (its JSON form) of a DSSE envelope over the statement. */
export async function signStatement(s: Statement, options: SigningOptions): Promise<unknown> {
  const witnesses: Witness[] = [new RekorWitness({ rekorBaseURL: serviceBase(options.rekorUrl), entryType: 'dsse' })];
  if (options.tsaUrl) witnesses.push(new TSAWitness({ tsaBaseURL: serviceBase(options.tsaUrl) }));
  const builder = new DSSEBundleBuilder({ signer: signer(options), witnesses });
  try {
    const bundle = await builder.create({ data: Buffer.from(JSON.stringify(s)), type: IN_TOTO_PAYLOAD_TYPE });
    return bundleToJSON(bundle);
  } catch (error) {
    if (error instanceof InputError || error instanceof UsageError) throw error;
    throw serviceError(error, options);
  }
}
