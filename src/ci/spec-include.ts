/**
 * `spec:include` (GitLab 18.9): a header's input specs read from other files as well. GitLab's
 * Interpolator#spec runs External::Header::Processor on the header's `spec:` when it has an
 * `include:`: its Matcher knows only `local`, `remote` and `project` entries and reads each file
 * `inputs_only!` (File::Base#validate_content_keys!: `inputs` is the only key such a file may hold),
 * and its validate! refuses an input key declared twice, across the files and the inline
 * `spec:inputs`. The inputs of the files come first, then the inline ones.
 *
 * Offline, cigen reads `local` entries only, through the reader it is given: a `remote` or
 * `project` entry, a path holding a variable or a wildcard, or no reader at all leaves the inputs
 * incomplete, and then a name the specs lack is no proof of a mistake.
 */
import type { Document } from 'yaml';
import { rubyBlank } from './entries-read.js';
import { hasYamlExtension } from './includes.js';
import type { Finding, PathSegment } from './diagnostics.js';
import type { InputSpecs } from './interpolation/inputs.js';
import { documentValue, MAX_ALIASES, parseYamlDocuments } from './yaml.js';

type Issue = Omit<Finding, 'document'>;

/** GitLab's words for an included file with nothing to merge (File::Base#validate_parsed_content_presence!). */
export const noConfiguration = (location: string): string => `Included file \`${location}\` contains no configuration!`;

/** A project file by its root-relative path: undefined when there is none, `outside` when the path
 *  leads out of the project (the reader refuses it). */
export type HeaderFileReader = (path: string) => { text: string; file: string } | { outside: true } | undefined;

/** An input a `spec:include` file declares: its spec, the file, and the entry that names the file. */
export interface IncludedInput {
  spec: unknown;
  file: string;
  entry: PathSegment[];
}

export interface HeaderInputs {
  /** The input specs GitLab interpolates with: the included files' (in order), then the inline ones. */
  specs: InputSpecs;
  /** The inputs that come from `spec:include` files, by name. */
  included: Map<string, IncludedInput>;
  /** Whether `specs` holds every input GitLab reads: false when an entry cannot be read offline. */
  complete: boolean;
  /** What GitLab refuses in `spec:include`, in its words, at the entry (header document). */
  issues: Issue[];
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Ruby's Symbol#inspect, as GitLab prints the unknown keys of a file (`[:test, :"job-a"]`). */
const symbol = (name: string): string => (/^[A-Za-z_][A-Za-z0-9_]*[?!]?$/.test(name) ? `:${name}` : `:${JSON.stringify(name)}`);

/** Whether a string include is a URL (GitLab's Mapper::Normalizer: UrlSanitizer.valid?), else a local path. */
const isUrl = (text: string): boolean => /^(?:https?|ftp):\/\/\S+$/i.test(text);

/** The header's `spec:include` entries, each with its path in the header document. */
function entriesOf(include: unknown): { entry: unknown; path: PathSegment[] }[] {
  if (Array.isArray(include)) return (include as unknown[]).map((entry, index) => ({ entry, path: ['spec', 'include', index] }));
  return [{ entry: include, path: ['spec', 'include'] }];
}

/**
 * The inputs of a header as GitLab reads them, with what it refuses in `spec:include`. `component`:
 * the file is a CI/CD component, where GitLab refuses `spec:include` outright (its docs: "You cannot
 * use spec:include in CI/CD components"), so its files are not read.
 */
export function headerInputs(header: unknown, options: { read?: HeaderFileReader; component?: boolean } = {}): HeaderInputs {
  const spec = isObject(header) && isObject(header['spec']) ? header['spec'] : {};
  const inline = isObject(spec['inputs']) ? (spec['inputs'] as InputSpecs) : {};
  const included = new Map<string, IncludedInput>();
  const issues: Issue[] = [];
  const include = spec['include'];
  // GitLab processes `spec:include` only when it is present? (an empty list is not).
  if (include === undefined || include === null || (Array.isArray(include) && include.length === 0))
    return { specs: inline, included, complete: true, issues };
  if (options.component) {
    issues.push({
      path: ['spec', 'include'],
      at: 'key',
      severity: 'error',
      code: 'spec/include',
      message: 'cannot use `spec:include`. This keyword is not supported in components',
    });
    return { specs: inline, included, complete: false, issues };
  }
  let complete = true;
  /** Every input key declared, in order, with where: the files' first, then the inline ones. */
  const declared: { name: string; path: PathSegment[]; at: 'key' | 'value' }[] = [];
  const refuse = (path: PathSegment[], message: string) => issues.push({ path, severity: 'error', code: 'spec/include', message });
  for (const { entry, path } of entriesOf(include)) {
    const local = typeof entry === 'string' ? (isUrl(entry) ? undefined : entry) : isObject(entry) ? entry['local'] : undefined;
    // `remote`, `project` (and what the header Matcher does not know): not read offline.
    if (typeof local !== 'string') {
      complete = false;
      continue;
    }
    // File::Local#location, and so its messages: the path without its leading slashes.
    const location = local.replace(/^\/+/, '');
    if (/[$*]/.test(location) || !options.read) {
      complete = false;
      continue;
    }
    const at = typeof entry === 'string' ? path : [...path, 'local'];
    if (!hasYamlExtension(location)) {
      refuse(at, `Included file \`${location}\` does not have YAML extension!`);
      complete = false;
      continue;
    }
    const found = /^\.\.(\/|$)/.test(location) ? { outside: true as const } : options.read(location);
    if (found && 'outside' in found) {
      refuse(at, `\`${local}\` is outside the project: GitLab reads local includes from the repository only`);
      complete = false;
      continue;
    }
    if (!found) {
      // What it would declare is not known: its inputs are not reported missing on top.
      refuse(at, `Local file \`${location}\` does not exist!`);
      complete = false;
      continue;
    }
    if (found.text.trim() === '') {
      refuse(at, `Local file \`${location}\` is empty!`);
      continue;
    }
    const { documents } = parseYamlDocuments(found.text);
    const broken = documents.flatMap((doc) => doc.errors)[0];
    let value: unknown;
    try {
      value = broken || documents.length !== 1 ? undefined : documentValue(documents[0] as Document, MAX_ALIASES);
    } catch {
      value = undefined;
    }
    if (broken) {
      refuse(at, `\`${location}\`: ${broken.message.split('\n')[0] ?? broken.message}`);
      complete = false;
      continue;
    }
    // A file with a header of its own is interpolated first: not followed offline.
    if (documents.length !== 1) {
      complete = false;
      continue;
    }
    if (rubyBlank(value)) {
      refuse(at, noConfiguration(location));
      continue;
    }
    if (!isObject(value)) {
      complete = false;
      continue;
    }
    // Refused, but its inputs are still read: what the content uses of them is no mistake too.
    const unknown = Object.keys(value).filter((key) => key !== 'inputs');
    if (unknown.length > 0) refuse(at, `Header include file \`${location}\` contains unknown keys: [${unknown.map(symbol).join(', ')}]`);
    const inputs = value['inputs'];
    if (!isObject(inputs)) continue;
    for (const [name, inputSpec] of Object.entries(inputs)) {
      declared.push({ name, path: at, at: 'value' });
      if (!included.has(name)) included.set(name, { spec: inputSpec, file: found.file, entry: at });
    }
  }
  for (const name of Object.keys(inline)) declared.push({ name, path: ['spec', 'inputs', name], at: 'key' });
  // Processor#validate!: `tally` keeps the order in which the keys are first met.
  const counts = new Map<string, number>();
  for (const { name } of declared) counts.set(name, (counts.get(name) ?? 0) + 1);
  const duplicates = [...counts].filter(([, count]) => count > 1).map(([name]) => name);
  if (duplicates.length > 0) {
    const first = duplicates[0] as string;
    // Shown where the first duplicate key is declared again: inline, else the second file naming it.
    const site = declared.filter(({ name }) => name === first)[1] as (typeof declared)[number];
    issues.push({
      path: site.path,
      at: site.at,
      severity: 'error',
      code: 'spec/duplicate-input',
      message:
        `Duplicate input keys found: ${duplicates.join(', ')}. ` +
        'Input keys must be unique across all included files and inline specifications.',
      input: first,
    });
  }
  const specs: Record<string, unknown> = {};
  for (const [name, input] of included) specs[name] = input.spec;
  Object.assign(specs, inline);
  return { specs: specs as InputSpecs, included, complete, issues };
}
