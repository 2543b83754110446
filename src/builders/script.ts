/**
 * Job shell from Handlebars templates (components/<name>/script.sh.hbs) with the shared partials
 * in components/_shared. Templates are precompiled into the bundle, so rendering does no I/O.
 * The lines that read the inputs are generated from their declarations.
 */
import Handlebars from 'handlebars/runtime.js';
import auth from '../../components/_shared/auth.sh.hbs';
import buildOptions from '../../components/_shared/build-options.sh.hbs';
import caFile from '../../components/_shared/ca-file.sh.hbs';
import cacheTag from '../../components/_shared/cache-tag.sh.hbs';
import cache from '../../components/_shared/cache.sh.hbs';
import credentials from '../../components/_shared/credentials.sh.hbs';
import dockerfile from '../../components/_shared/dockerfile.sh.hbs';
import inputs from '../../components/_shared/inputs.sh.hbs';
import labels from '../../components/_shared/labels.sh.hbs';
import library from '../../components/_shared/library.sh.hbs';
import login from '../../components/_shared/login.sh.hbs';
import platform from '../../components/_shared/platform.sh.hbs';
import prelude from '../../components/_shared/prelude.sh.hbs';
import read from '../../components/_shared/read.sh.hbs';
import registriesConf from '../../components/_shared/registries-conf.sh.hbs';
import registries from '../../components/_shared/registries.sh.hbs';
import report from '../../components/_shared/report.sh.hbs';
import storage from '../../components/_shared/storage.sh.hbs';
import tags from '../../components/_shared/tags.sh.hbs';
import { Literal } from '../ci/model.js';
import { shellName, type InputDeclaration, type InputDeclarations } from './inputs.js';
import { TAG_RULE } from './tag.js';
import { SAID } from './said.js';
import { REPORT_FILE } from './spec.js';

for (const [name, partial] of Object.entries({
  prelude,
  read,
  inputs,
  tags,
  buildOptions,
  credentials,
  dockerfile,
  caFile,
  registries,
  registriesConf,
  login,
  cache,
  cacheTag,
  auth,
  labels,
  report,
  platform,
  storage,
})) {
  Handlebars.registerPartial(name, partial);
}
// {{said "name"}}: a text cigen says too (src/builders/said.ts); an unknown name stops the rendering.
Handlebars.registerHelper('said', (name: unknown) => {
  const text = typeof name === 'string' ? SAID[name] : undefined;
  if (text === undefined) throw new Error(`{{said}}: no text named ${String(name)}`);
  return text;
});

export type Template = (context?: object) => string;

/** The shell line that reads one input into cigen_<input> (and checks its options). */
export function readLine(name: string, input: InputDeclaration): string {
  const variable = input.variable as string;
  const target = shellName(name);
  const line =
    input.type === 'array'
      ? `cigen_list ${variable} ${name}${input.items === 'objects' ? ' objects' : ''}; ${target}=$CIGEN_LIST`
      : input.type === 'boolean'
        ? `cigen_bool ${variable} ${name}; ${target}=$CIGEN_REPLY`
        : input.type === 'number'
          ? `cigen_number ${variable} ${name}; ${target}=$CIGEN_REPLY`
          : `cigen_scalar ${variable}; ${target}=$CIGEN_REPLY`;
  const options = input.options ? `\ncigen_one_of "$${target}" ${name} ${input.options.join(' ')}` : '';
  if (input.withoutIt?.includes("'")) throw new Error(`input ${name}: withoutIt holds a single quote`);
  const empty = input.withoutIt ? `\n[ -n "$${target}" ] || cigen_empty_input ${name} ${variable} '${input.withoutIt}'` : '';
  return line + options + empty;
}

/** The reading lines of every input that travels in a variable, in declaration order. */
export const readLines = (declared: InputDeclarations): string[] => {
  const lines = Object.entries(declared)
    .filter(([, input]) => input.variable)
    .map(([name, input]) => readLine(name, input));
  // One of registry-user and registry-password empty while the other is not stops the job once
  // both are read (cigen_registry_pair).
  if (declared['registry-user']?.variable && declared['registry-password']?.variable) lines.push('cigen_registry_pair');
  return lines;
};

/** A space or a tab at the end of a line. */
const TRAILING_BLANK = /[ \t](?:\n|$)/;

export function renderScript(template: Template, context: Record<string, unknown> = {}): string {
  const text = template(context);
  if (text.includes('$[[')) throw new Error('a job script must not contain "$[[": GitLab would interpolate it');
  // Trailing spaces and tabs off each line (a run is matched from its start only: `[ \t]+$` alone
  // would try every space of every indentation), runs of blank lines made one, one final newline.
  // Each replaced only where a quicker search finds one: the catalog's scripts (1.4 MB) hold none.
  const trimmed = TRAILING_BLANK.test(text) ? text.replace(/(?<![ \t])[ \t]+$/gm, '') : text;
  const tidy = trimmed.includes('\n\n\n') ? trimmed.replace(/\n{3,}/g, '\n\n') : trimmed;
  let end = tidy.length;
  while (end > 0 && tidy.charCodeAt(end - 1) === 10) end--;
  // The text itself when it ends with one newline (as most do): a copy of a script is a copy of
  // its hundreds of kilobytes.
  return end === tidy.length - 1 ? tidy : `${tidy.slice(0, end)}\n`;
}

/** A build script: the component's template with the shared context every build script reads. */
export const renderBuildScript = (
  template: Template,
  component: string,
  declared: InputDeclarations,
  extra: Record<string, unknown> = {},
): string => renderScript(template, { component, reads: readLines(declared), tagRule: TAG_RULE, reportFile: REPORT_FILE, ...extra });

/**
 * The shell library (prelude and auth), the first item of the scripts of the builder, release and
 * supply-chain jobs; the job's own script follows, in the same shell (kaniko-compat, doctor and
 * migration-bot keep a prelude in their own script). One Literal with an
 * anchor: a component whose jobs all start with it (a builder and its sign, sbom and provenance
 * jobs) holds its text once, and an alias in the others. Rendered when first asked for: commands
 * that load the builders without rendering a job (lint) do not pay for it.
 */
let shellLibraryLiteral: Literal | undefined;
export const shellLibrary = (): Literal => (shellLibraryLiteral ??= new Literal(renderScript(library), 'cigen-library'));
