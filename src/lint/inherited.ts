/**
 * What ci.json says of the places a visible job inherits through `extends` from a hidden job.
 * GitLab validates a job as it reads it, its bases merged in, and never a hidden job alone: a
 * template's value it refuses (`.base: {retry: 5}`) is refused in each job that takes it in. The
 * schema read each hidden job as a job already (ci/hidden-twins.ts, in the file's one validation);
 * a visible job that reads a place from a template that failed there is checked as GitLab reads it
 * (its bases merged in), and what fails at a place a template gives is reported in that job, shown
 * where the template writes it. The job as a whole (`script` or `trigger` missing) is the semantic
 * checks'. Two templates valid alone that make an invalid hash together are not found, but for a
 * secret's providers (mergedSecretFindings).
 */
import type { Diagnostic, PathSegment } from '../ci/diagnostics.js';
import { contentAsEntriesRead, pathAsWritten, SECRET_PROVIDERS } from '../ci/entries-read.js';
import { hiddenJobFindings } from '../ci/hidden-twins.js';
import { isHash, valueAt } from '../ci/merge.js';
import { locate } from '../ci/positions.js';
import { exactlyOneOfKeysAt, validateSchema } from '../ci/schema.js';
import { basesOf, isHidden, MAX_EXTENDS_DEPTH, originOf, type JobDefinition, type PipelineModel } from './model.js';
import { definerOf } from './provenance.js';
import type { EntryFinding } from './entries.js';

/** A finding on a job at a place a base gives it, naming the base. */
export const inheritedMessage = (message: string, base: string): string => `${message} (inherited from ${base} through extends)`;

/** Whether a place, or one on the way to it, still holds a `!reference` GitLab would have replaced (one cigen cannot resolve). */
function throughUnresolved(value: unknown, path: readonly PathSegment[], tags: ReadonlySet<unknown>): boolean {
  for (let i = 0; i <= path.length; i++) if (tags.has(valueAt(value, path.slice(0, i)))) return true;
  return false;
}

/** The hidden jobs a job extends, however far (each once). */
function hiddenBases(model: PipelineModel, job: JobDefinition): JobDefinition[] {
  const found = new Map<string, JobDefinition>();
  const walk = (definition: JobDefinition, depth: number) => {
    if (depth > MAX_EXTENDS_DEPTH) return;
    for (const base of basesOf(definition.value)) {
      const next = model.jobs.get(base);
      if (!next || found.has(next.name) || next === job) continue;
      if (isHidden(next.name)) found.set(next.name, next);
      walk(next, depth + 1);
    }
  };
  walk(job, 0);
  return [...found.values()];
}

/** `values`: each job as GitLab reads it (`extends` merged, `!reference` tags resolved). */
export async function inheritedFindings(
  model: PipelineModel,
  values: ReadonlyMap<string, { value: Record<string, unknown>; ok: boolean }>,
): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  // Almost every pipeline's templates are clean: then there is nothing to trace.
  if (![...model.jobs.values()].some((job) => isHidden(job.name) && hiddenJobFindings(job.value).length > 0)) return out;
  const tags = new Set(model.references.map((reference) => reference.node));
  for (const job of model.jobs.values()) {
    if (isHidden(job.name) || job.value['extends'] === undefined) continue;
    const merged = values.get(job.name);
    if (!merged?.ok) continue;
    // A template's finding only says where to look: a template may be valid only with what the job
    // or another base adds (`when: delayed` and the job's `start_in`, a hash split between bases).
    // The job as GitLab reads it is checked when one of its templates failed at a place it gives.
    const suspect = hiddenBases(model, job).some((base) =>
      hiddenJobFindings(base.value).some(({ path }) => path.length > 0 && definerOf(model, job, path) === base),
    );
    if (!suspect) continue;
    const read = contentAsEntriesRead({ [job.name]: merged.value });
    const { findings } = await validateSchema(read);
    for (const finding of findings) {
      const path = pathAsWritten(read, finding.path).slice(1);
      if (path.length === 0 || throughUnresolved(merged.value, path, tags)) continue;
      const definer = definerOf(model, job, path);
      // Only what a template gives: the job's own places are checked where they are written.
      if (!definer || definer === job || !isHidden(definer.name)) continue;
      const origin = originOf(definer, path);
      const { doc, lineCounter, resolveKey, file } = origin;
      const pos = locate(doc, lineCounter, [...origin.path, ...path], finding.at ?? 'value', resolveKey);
      out.push({
        file,
        line: pos.line,
        column: pos.column,
        severity: 'error',
        code: finding.code,
        message: inheritedMessage(finding.message, definer.name),
        document: 'content',
        path: [job.name, ...path],
      });
    }
  }
  return out;
}

/**
 * The schema findings (`written`: the file's, each job as written) of visible jobs that `extends`
 * bases, which the job as GitLab reads it does not have: GitLab validates a job with its bases
 * merged in, so `review: {extends: .env, environment: {on_stop: stop}}` takes its environment's
 * `name` from `.env`. A job whose bases could not all be read (`ok` false) is settled only where a
 * base may add what is missing (schema/required): a value it writes is wrong whatever they add.
 */
export async function settledByBases(
  model: PipelineModel,
  values: ReadonlyMap<string, { value: Record<string, unknown>; ok: boolean }>,
  written: readonly Diagnostic[],
): Promise<Set<Diagnostic>> {
  const settled = new Set<Diagnostic>();
  const byJob = new Map<string, Diagnostic[]>();
  for (const finding of written) {
    const name = finding.path?.[0];
    if (!finding.code.startsWith('schema/') || finding.document !== 'content' || typeof name !== 'string') continue;
    const job = model.jobs.get(name);
    if (!job || isHidden(name) || job.value['extends'] === undefined) continue;
    const findings = byJob.get(name);
    if (findings) findings.push(finding);
    else byJob.set(name, [finding]);
  }
  for (const [name, findings] of byJob) {
    const merged = values.get(name);
    if (!merged) continue;
    if (!merged.ok) {
      // extends merges hashes and replaces lists: a base may give a hash the job writes a missing
      // key, never an item of a list the job writes.
      // So too a hash without any of the keys it must hold exactly one of (a secret without a
      // provider); one with two holds them whatever a base adds.
      for (const finding of findings) {
        const path = finding.path;
        if (!path?.every((segment) => typeof segment === 'string')) continue;
        if (finding.code === 'schema/required') settled.add(finding);
        else if (finding.code === 'schema/exactly-one-key') {
          const keys = await exactlyOneOfKeysAt(path);
          const value = valueAt(merged.value, path.slice(1));
          if (keys && isHash(value) && !keys.some((key) => Object.hasOwn(value, key))) settled.add(finding);
        }
      }
      continue;
    }
    const read = contentAsEntriesRead({ [name]: merged.value });
    const kept = new Set(
      (await validateSchema(read)).findings.map((finding) => `${finding.code}\0${JSON.stringify(pathAsWritten(read, finding.path))}`),
    );
    for (const finding of findings) if (!kept.has(`${finding.code}\0${JSON.stringify(finding.path)}`)) settled.add(finding);
  }
  return settled;
}

/** The providers a secret's hash holds (Entry::Secret::SUPPORTED_PROVIDERS), in the order written. */
const providersOf = (secret: unknown): string[] =>
  isHash(secret) ? Object.keys(secret).filter((key) => SECRET_PROVIDERS.includes(key)) : [];

/**
 * A secret of a visible job that holds more than one provider only once its bases are merged in
 * (`.vault: {secrets: {DB: {vault: ..}}}`, and the job's own `DB: {gcp_secret_manager: ..}`): each
 * definition is valid alone, so no file's validation finds what GitLab, validating the job as it
 * reads it, refuses (only_one_of_keys). The schema's finding on the job as GitLab reads it, shown
 * where the job writes its one provider (a base's two too), or, when the job writes none, where the
 * last provider is written (a base's). What the files' own validation finds is left to it: two
 * providers the job writes, and a secret it writes without one. A secret a base gives wholly with
 * two providers of its own is found in the base, and in the job as well: a template's where the
 * template writes it (inheritedFindings), a visible job's at the `extends:` of the job that takes
 * it in, naming that job (GitLab refuses both jobs).
 */
export async function mergedSecretFindings(
  model: PipelineModel,
  values: ReadonlyMap<string, { value: Record<string, unknown>; ok: boolean }>,
): Promise<{ job: JobDefinition; finding: EntryFinding }[]> {
  const out: { job: JobDefinition; finding: EntryFinding }[] = [];
  for (const job of model.jobs.values()) {
    if (isHidden(job.name) || job.value['extends'] === undefined) continue;
    const merged = values.get(job.name)?.value;
    const secrets = merged?.['secrets'];
    if (!merged || !isHash(secrets)) continue;
    // Each secret to report: where, and the visible base that writes its providers all, if one does.
    const places = new Map<string, { path: PathSegment[]; base?: string }>();
    for (const [name, secret] of Object.entries(secrets)) {
      const providers = providersOf(secret);
      if (providers.length < 2) continue;
      const own = valueAt(job.value, ['secrets', name]);
      const mine = providersOf(own);
      if (mine.length > 1 || (own !== undefined && mine.length === 0)) continue;
      if (mine.length === 0) {
        // Given wholly by bases: one that writes two providers is found in it, and, a template's, in
        // this job where the template writes it (inheritedFindings); a visible job's, at this job's extends.
        const definers = providers.map((provider) => definerOf(model, job, ['secrets', name, provider]));
        if (definers.some((definer) => !definer)) continue;
        const whole = definers.find((definer) => providersOf(valueAt(definer?.value, ['secrets', name])).length > 1);
        if (whole && isHidden(whole.name)) continue;
        if (whole) {
          places.set(name, { path: ['extends'], base: whole.name });
          continue;
        }
      }
      places.set(name, { path: ['secrets', name, mine[0] ?? (providers.at(-1) as string)] });
    }
    if (places.size === 0) continue;
    const read = contentAsEntriesRead({ [job.name]: merged });
    for (const finding of (await validateSchema(read)).findings) {
      const [, key, name, ...rest] = pathAsWritten(read, finding.path);
      const place = key === 'secrets' && rest.length === 0 && typeof name === 'string' ? places.get(name) : undefined;
      if (!place || finding.code !== 'schema/exactly-one-key') continue;
      const message = place.base ? inheritedMessage(finding.message, place.base) : finding.message;
      out.push({ job, finding: { path: place.path, at: 'key', code: finding.code, message } });
    }
  }
  return out;
}
