/**
 * What GitLab would refuse in a rendered component, all before anything is written:
 *  a) the jobs against GitLab's ci.json;
 *  b) the header against GitLab's input rules (types, defaults, options, regex, every block
 *     declared, every input used, known functions, text-interpolation safety);
 *  c) the component instantiated with its defaults and with a full non-default set, in both
 *     of GitLab's interpolation modes, and validated against the schema again.
 *
 * A module of its own: dist/build.cjs (`cigen build`) loads it from dist/build-validate.cjs when
 * build validates, so that `cigen build --check`, which renders and compares, compiles none of it.
 * What crosses is data (the component's declarations, the text, the problems); it throws no
 * cigen error (test/unit/bundle.test.ts checks).
 */
import { isDeepStrictEqual } from 'node:util';
import { sampleValues } from '../builders/inputs.js';
import type { ComponentDefinition } from '../catalog/component.js';
import { checkFile, parseFile } from '../ci/check.js';
import type { Diagnostic } from '../ci/diagnostics.js';
import { INTERPOLATION_MODES, inputOfError, instantiate, splitComponentFile } from '../ci/interpolation/index.js';
import { validateSchema } from '../ci/schema.js';
import { pinningProblem } from './pinning.js';

export interface BuildProblem {
  component: string;
  /** The input the problem is about, when there is one. */
  input?: string;
  file: string;
  line?: number;
  column?: number;
  message: string;
}

/** The input a finding is about: the header entry it sits in, or the input the rule that made it
 *  names (an interpolation block's). A schema finding has none: a job's name may hold
 *  `$[[ inputs.job-name ]]`, which is where the finding is, not what it is about. */
function inputOf(diagnostic: Diagnostic): string | undefined {
  const [spec, inputs, name] = diagnostic.path ?? [];
  if (diagnostic.document === 'header' && spec === 'spec' && inputs === 'inputs' && typeof name === 'string') return name;
  return diagnostic.input;
}

/** The problems of `text`, the rendered template at `path`: a), b) and c), and an image not pinned. */
export async function validateTemplate(component: ComponentDefinition, path: string, text: string): Promise<BuildProblem[]> {
  const problems: BuildProblem[] = [];
  const problem = (message: string, extra: Partial<BuildProblem> = {}) =>
    problems.push({ component: component.name, file: path, message, ...extra });

  const parsed = parseFile(text, path);
  for (const diagnostic of (await checkFile(parsed, { contentAsWritten: true })).diagnostics) {
    const input = inputOf(diagnostic);
    problem(`${diagnostic.code}: ${diagnostic.message}`, { line: diagnostic.line, column: diagnostic.column, ...(input ? { input } : {}) });
  }

  for (const image of component.images) {
    const pinning = pinningProblem(image);
    if (pinning) problem(pinning, { input: 'builder-image' });
  }

  const file = splitComponentFile(
    text,
    [parsed.header, parsed.content].filter((doc) => doc !== undefined),
  );
  const inputSets: [string, Record<string, unknown>][] = [
    ['defaults', {}],
    ['non-default inputs', sampleValues(component.inputs)],
  ];
  for (const [label, inputs] of inputSets) {
    // The schema's findings for each distinct instance: text interpolation mostly gives the very
    // jobs classic interpolation gives, and the same value has the same findings.
    const validated: { content: unknown; findings: Awaited<ReturnType<typeof validateSchema>>['findings'] }[] = [];
    for (const mode of INTERPOLATION_MODES) {
      const instance = instantiate(file, inputs, mode);
      for (const error of instance.errors) {
        const input = inputOfError(error);
        problem(`with ${label}, ${mode} interpolation: ${error}`, input ? { input } : {});
      }
      if (instance.content === undefined) continue;
      const expectedJob = String(instance.values['job-name']);
      if (!Object.hasOwn(instance.content as object, expectedJob)) {
        problem(`with ${label}, ${mode} interpolation: the job is not named \`${expectedJob}\``, { input: 'job-name' });
      }
      let findings = validated.find((done) => isDeepStrictEqual(done.content, instance.content))?.findings;
      if (!findings) {
        findings = (await validateSchema(instance.content)).findings;
        validated.push({ content: instance.content, findings });
      }
      for (const finding of findings) problem(`with ${label}, ${mode} interpolation: ${finding.message}`);
    }
  }
  return problems;
}
