/** `cigen sign|sbom|provenance IMAGE@DIGEST`: sign a statement about the image and attach it. */
import { join } from 'node:path';
import { attest, type Attached } from '../../supply/attest.js';
import { formatReference, parseDigestReference } from '../../supply/reference.js';
import type { SigningOptions } from '../../supply/signing.js';
import type { AttestationKind } from '../../supply/statement.js';
import { readUserFile, writeFilesAtomically, type PendingWrite } from '../files.js';
import { writeOut } from '../stdio.js';

export interface AttestCommandOptions {
  key?: string;
  fulcioUrl: string;
  rekorUrl: string;
  tsaUrl?: string;
  report?: string;
  generator?: string;
  outputDir?: string;
  component?: string;
  output?: string;
}

const REPORT_KEYS: Record<AttestationKind, string> = {
  signature: 'CIGEN_SIGNATURE_REF',
  sbom: 'CIGEN_SBOM_REFS',
  provenance: 'CIGEN_PROVENANCE_REF',
};

export async function runAttest(kind: AttestationKind, image: string, options: AttestCommandOptions): Promise<void> {
  const ref = parseDigestReference(image);
  const signing: SigningOptions = {
    fulcioUrl: options.fulcioUrl,
    rekorUrl: options.rekorUrl,
    tsaUrl: options.tsaUrl ?? '',
    ...(options.key
      ? {
          key: {
            pem: await readUserFile(options.key, `--key ${options.key}`),
            password: process.env['CIGEN_KEY_PASSWORD'] ?? '',
            name: options.key,
          },
        }
      : process.env['SIGSTORE_ID_TOKEN']
        ? { identityToken: process.env['SIGSTORE_ID_TOKEN'] }
        : {}),
  };
  const attached = await attest(kind, image, {
    signing,
    env: process.env,
    ...(options.generator ? { generator: options.generator } : {}),
    ...(options.component !== undefined ? { component: options.component } : {}),
  });
  const writes: PendingWrite[] = [];
  for (const item of attached) {
    if (kind === 'sbom' && item.document)
      writes.push({
        path: join(options.outputDir ?? 'cigen-sbom', `${(item.platform || 'image').replace(/\//g, '-')}.cdx.json`),
        text: item.document,
      });
    if (kind === 'provenance' && item.document && options.output) writes.push({ path: options.output, text: `${item.document}\n` });
  }
  const refs = attached.map((item: Attached) => formatReference(ref, item.referrer)).join(' ');
  if (options.report) writes.push({ path: options.report, text: `${REPORT_KEYS[kind]}=${refs}\n` });
  await writeFilesAtomically(writes);
  for (const item of attached) {
    const what = kind === 'signature' ? 'signature' : kind === 'sbom' ? `SBOM${item.platform ? ` (${item.platform})` : ''}` : 'provenance';
    writeOut(`cigen: ${what} of ${formatReference(ref, item.subject)} attached as ${formatReference(ref, item.referrer)}\n`);
  }
}
