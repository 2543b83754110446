/**
 * What an `include:` entry gives the linter. Local files are read through the host; a
 * component of the project being linted (`$CI_PROJECT_PATH/<name>@...`) from its templates/;
 * any other component only if the host can resolve it (the CLI wires in cigen's own catalog).
 * Remote, project and template includes cannot be read offline.
 */
import { leavesProject } from '../ci/include-walk.js';
import { hasYamlExtension, parseComponentRef, type ComponentRef, type IncludeEntry } from '../ci/includes.js';

/** A component file the host found, and checks of the values given to it beyond its spec. */
export interface ComponentFile {
  file: string;
  text: string;
  valueErrors?: (inputs: Record<string, unknown>) => string[];
  /** Made in memory (cigen's own catalog, rendered): no file to show a finding in, so its findings
   *  are shown at the include entry. */
  rendered?: boolean;
  /** Not necessarily the file GitLab reads (a partial version resolved to the one the host has):
   *  what was checked instead. Its findings are warnings that say this. */
  approximation?: string;
}

/** What is wrong with an include, as the host words it (`approximation`: as for ComponentFile). */
export interface IncludeProblem {
  code: string;
  message: string;
  approximation?: string;
}

/** Reads what the linted file includes; paths are relative to the project root. */
export interface LintHost {
  /** A project file, undefined when there is none, `outside` when the path leads out of the
   *  project (through `..` or a symlink): the host refuses to read it. */
  readProjectFile(path: string): { text: string; file: string } | { outside: true } | undefined;
  /** A component outside the project, when the host knows it; an error says why it is wrong. */
  resolveComponent?(ref: ComponentRef, target: string): ComponentFile | IncludeProblem | undefined;
  /** Extra checks of the values given to a component of this project (read from its text). */
  componentValueChecks?(text: string): ComponentFile['valueErrors'];
  /** The project's files whose root-relative path `pattern` matches, sorted: what a wildcard
   *  `local:` include names. Without it such an include is unreadable. */
  matchProjectFiles?(pattern: RegExp): Promise<string[]>;
}

export type Resolution = ({ kind: 'file' } & ComponentFile) | { kind: 'unreadable' } | ({ kind: 'error' } & IncludeProblem);

const outside = (path: string): Resolution => ({
  kind: 'error',
  code: 'include/outside-project',
  message: `\`${path}\` is outside the project: GitLab reads local includes from the repository only`,
});

function readLocal(path: string, host: LintHost | undefined): Resolution {
  if (/[$*]/.test(path)) return { kind: 'unreadable' };
  const relative = path.replace(/^\/+/, '');
  // Checked before anything else, so nothing outside the project is ever asked for.
  if (leavesProject(relative)) return outside(path);
  if (!host) return { kind: 'unreadable' };
  if (!hasYamlExtension(path))
    return { kind: 'error', code: 'include/extension', message: `Included file \`${path}\` does not have YAML extension!` };
  const read = host.readProjectFile(relative);
  if (read && 'outside' in read) return outside(path);
  if (!read) return { kind: 'error', code: 'include/not-found', message: `Local file \`${path}\` does not exist!` };
  return { kind: 'file', file: read.file, text: read.text };
}

function readComponent(target: string, host: LintHost | undefined): Resolution {
  const ref = parseComponentRef(target);
  if (!ref)
    return {
      kind: 'error',
      code: 'include/component',
      message: `\`${target}\` is not a component reference (<server>/<project path>/<name>@<version>)`,
    };
  // A component of the project being linted, as GitLab reads it in the project's own pipeline.
  if (ref.project === '$CI_PROJECT_PATH' && host) {
    for (const candidate of [`templates/${ref.name}.yml`, `templates/${ref.name}/template.yml`]) {
      const read = host.readProjectFile(candidate);
      if (read && 'outside' in read) return outside(candidate);
      if (!read) continue;
      const valueErrors = host.componentValueChecks?.(read.text);
      return { kind: 'file', file: read.file, text: read.text, ...(valueErrors ? { valueErrors } : {}) };
    }
    return {
      kind: 'error',
      code: 'include/not-found',
      message: `component \`${ref.name}\` is not in this project (no templates/${ref.name}.yml or templates/${ref.name}/template.yml)`,
    };
  }
  const resolved = host?.resolveComponent?.(ref, target);
  if (!resolved) return { kind: 'unreadable' };
  return 'code' in resolved ? { kind: 'error', ...resolved } : { kind: 'file', ...resolved };
}

export function resolveInclude(entry: IncludeEntry, host: LintHost | undefined): Resolution {
  switch (entry.kind) {
    case 'local':
      return readLocal(entry.target, host);
    case 'component':
      return readComponent(entry.target, host);
    default:
      return { kind: 'unreadable' };
  }
}
