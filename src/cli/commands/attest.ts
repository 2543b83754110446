/** `cigen sign|sbom|provenance IMAGE@DIGEST`: sign a statement about the image and attach it. */
import { join } from 'node:path';
import { attest, type Attached } from '../../supply/attest.js';
import { formatReference, parseDigestReference } from '../../supply/reference.js';
import type { SigningOptions } from '../../supply/signing.js';
import type { AttestationKind } from '../../supply/statement.js';
import { checkWritable, NOTHING_WRITTEN, readUserFile, writeFilesAtomically, WriteError, type PendingWrite } from '../files.js';
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
  // The files this run writes are checked before anything is asked of the registry or the
  // Sigstore services: a signature stays in the transparency log, and one attached stays in the
  // registry, whatever becomes of the files. An SBOM's are named after the platforms the image's
  // index lists: checked once the index is read, before anything is signed.
  const sbomFile = (platform: string): string =>
    join(options.outputDir ?? 'cigen-sbom', `${(platform || 'image').replace(/\//g, '-')}.cdx.json`);
  const unsigned = 'nothing was signed or attached';
  await checkWritable(
    [...(kind === 'provenance' && options.output ? [options.output] : []), ...(options.report ? [options.report] : [])],
    unsigned,
  );
  const attached: Attached[] = [];
  /** The files that say what was attached, and what stdout says of each. */
  const outputs = () => {
    const writes: PendingWrite[] = [];
    for (const item of attached) {
      if (kind === 'sbom' && item.document) writes.push({ path: sbomFile(item.platform), text: item.document });
      if (kind === 'provenance' && item.document && options.output) writes.push({ path: options.output, text: `${item.document}\n` });
    }
    const refs = attached.map((item) => formatReference(ref, item.referrer)).join(' ');
    if (options.report) writes.push({ path: options.report, text: `${REPORT_KEYS[kind]}=${refs}\n` });
    const done = attached.map((item) => {
      const what =
        kind === 'signature' ? 'signature' : kind === 'sbom' ? `SBOM${item.platform ? ` (${item.platform})` : ''}` : 'provenance';
      return { what: `${what} of ${formatReference(ref, item.subject)}`, as: formatReference(ref, item.referrer) };
    });
    return { writes, done, attachedAs: done.map(({ what, as }) => `the ${what} was attached as ${as}`).join(', ') };
  };
  try {
    await attest(kind, image, {
      signing,
      env: process.env,
      ...(options.generator ? { generator: options.generator } : {}),
      ...(options.component !== undefined ? { component: options.component } : {}),
      ...(kind === 'sbom' ? { beforeSigning: (platforms: readonly string[]) => checkWritable(platforms.map(sbomFile), unsigned) } : {}),
      onAttached: (item) => attached.push(item),
    });
  } catch (error) {
    // Stopped after attaching some (an index's next platform failed): those stay attached, and in
    // the transparency log. Their files are written, as a run that attached them all writes them,
    // and the error names them.
    if (attached.length === 0 || !(error instanceof Error)) throw error;
    const { writes, attachedAs } = outputs();
    let files = `written: ${writes.map(({ path }) => path).join(', ')}`;
    try {
      await writeFilesAtomically(writes);
    } catch (writeError) {
      if (!(writeError instanceof WriteError)) throw writeError;
      files = writeError.message;
    }
    // The error itself, its kind and exit code kept, says what came before it.
    error.message = `${error.message}; before that, ${attachedAs}${writes.length > 0 ? `; ${files}` : ''}`;
    throw error;
  }
  const { writes, done, attachedAs } = outputs();
  try {
    await writeFilesAtomically(writes);
  } catch (error) {
    // Checked before, failed now (a full disk): what is attached stays attached, and is said.
    if (!(error instanceof WriteError)) throw error;
    const files = error.outcome === NOTHING_WRITTEN ? 'no file was written' : error.outcome;
    throw new WriteError(error.path, error.reason, `${files}, but ${attachedAs}`);
  }
  for (const { what, as } of done) writeOut(`cigen: ${what} attached as ${as}\n`);
}
