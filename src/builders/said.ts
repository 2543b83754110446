/**
 * Words that both a job and cigen itself say (render and lint, input descriptions), written once.
 * A job's shell gets them through the `said` helper (`{{said "name"}}`, src/builders/script.ts),
 * inside a double-quoted string: so none holds a `"`, `$`, backquote or backslash.
 */

/** Why a `registries` item for the host the `registry` input names is refused: the first entry
 *  for a host is the one written, so the item would be left out (components/_shared/credentials.sh.hbs,
 *  src/catalog/values.ts). */
export const REGISTRY_ITEM_CLASH =
  'the registry input names that host too, with registry-user; credentials for the registry input go in ' +
  'registry-user and registry-password, and registries is for other hosts: put them there and remove the item';

/** The Dockerfile instructions whose settings an image in the OCI format has no field for: Buildah
 *  warns that each "is not supported for OCI image format" and leaves it out of an image built with
 *  --format=oci (STOPSIGNAL is an OCI config field, kept in both: test/e2e/format.e2e.test.ts). */
export const OCI_DROPPED = ['HEALTHCHECK', 'SHELL', 'ONBUILD'] as const;
/** OCI_DROPPED as words: `HEALTHCHECK, SHELL and ONBUILD`. */
export const OCI_DROPPED_WORDS = `${OCI_DROPPED.slice(0, -1).join(', ')} and ${OCI_DROPPED[OCI_DROPPED.length - 1]}`;

/** The texts a job's shell (or a component's page) may say, by the name `{{said "name"}}` gives. */
export const SAID: Readonly<Record<string, string>> = {
  registryItemClash: REGISTRY_ITEM_CLASH,
  ociDropped: OCI_DROPPED_WORDS,
};

for (const [name, text] of Object.entries(SAID)) {
  if (/["$`\\]/.test(text)) throw new Error(`said ${name}: a text for a double-quoted shell string holds " $ \` or \\`);
}
