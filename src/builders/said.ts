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

/** The texts a job's shell may say, by the name `{{said "name"}}` gives. */
export const SAID: Readonly<Record<string, string>> = {
  registryItemClash: REGISTRY_ITEM_CLASH,
};

for (const [name, text] of Object.entries(SAID)) {
  if (/["$`\\]/.test(text)) throw new Error(`said ${name}: a text for a double-quoted shell string holds " $ \` or \\`);
}
