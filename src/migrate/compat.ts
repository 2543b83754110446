/**
 * Moving a job (or a hidden template, in place) onto kaniko-compat: it keeps its script; its
 * Kaniko image goes, `.cigen-kaniko-compat` is added last to its `extends` (so its image wins
 * over every other base), and its `before_script` starts with the installer — written out where
 * the job's before_script would otherwise come from another base, a merge key or `default:`,
 * whose lines then follow the installer.
 */
import { isAlias, isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { columnOf, commentsWithin, indentUnit, itemText, keyOf, lineStart, pairRange, type Edit } from '../ci/source.js';
import { reason, type Reason } from './notes.js';
import { effectiveSource, extendsOf, holderOf, sourceOf, type JobDefinition, type Pipeline } from './pipeline.js';
import { sharedKeyReasons } from './dependents.js';

export interface CompatEdits {
  edits: Edit[];
  reasons: Reason[];
  /** The installer was written into the job's before_script. */
  installer: boolean;
}

/** `!reference [<job>, before_script]`: the installer, as an item. */
export const installerReference = (compatJob: string): string => `!reference [${compatJob}, before_script]`;

/**
 * The edits that put `definition` on kaniko-compat. `converted` names the templates that carry the
 * installer in their own before_script (converted in place), so that what inherits it from them
 * needs nothing more. `appendCompat`: kaniko-compat is added last to the definition's `extends`
 * (it owns its Kaniko image, or has none); otherwise it gets kaniko-compat through a converted template.
 */
const COMPAT_EDITED_KEYS: ReadonlySet<string> = new Set(['image', 'before_script', 'extends']);

/**
 * What a refusal to move `name` onto kaniko-compat starts with: why it needs kaniko-compat (the
 * reasons the buildah component could not take it, `needs`), so that the reader knows what to
 * change; without them, that it would move onto it.
 */
export const needingCompat = (name: string, needs: readonly string[] | undefined): string =>
  needs && needs.length > 0 ? `${name} needs kaniko-compat (${needs.join('; ')})` : `${name} would move onto kaniko-compat`;

export function compatEdits(
  pipeline: Pipeline,
  definition: JobDefinition,
  compatJob: string,
  converted: ReadonlySet<string>,
  options: { removeImage: boolean; appendCompat: boolean; gone?: ReadonlySet<Node>; needs?: readonly string[] },
): CompatEdits {
  const needing = needingCompat(definition.name, options.needs);
  // What this edits (its image, before_script, extends), another job may read, unless it moves too.
  const reasons: Reason[] = sharedKeyReasons(pipeline, definition, COMPAT_EDITED_KEYS, options.gone).map((shared) =>
    reason(shared.kind, `${needing}, but ${shared.text}`),
  );
  const map = definition.map;
  if (!map || map.flow)
    return {
      edits: [],
      reasons: [reason('flow-style', `${needing}, but is written in flow style ({...}), and cigen edits block mappings only`)],
      installer: false,
    };
  const file = definition.file;
  const text = file.text;
  const unit = indentUnit(file);
  const first = map.items[0];
  const indent = first ? columnOf(text, (first.key as Node).range?.[0] ?? 0) : unit;
  const edits: Edit[] = [];
  let additions = '';
  let installer = false;

  // The image: its own goes (kaniko-compat's comes through extends); one from a merge key cannot:
  // taking a merge key apart (slimJobEdits) is the buildah component's path only.
  const image = map.items.find((p) => keyOf(p) === 'image');
  const imageSource = sourceOf(pipeline, definition, 'image');
  if (options.removeImage && imageSource?.via === 'merge') {
    reasons.push(
      reason(
        'merge-key',
        `${needing}, whose image comes through extends, but gets its Kaniko image through a merge key (<<): ` +
          "YAML makes the merged image a key of the job's own, which wins over extends, and cigen takes a merge key apart only " +
          'for a job moving onto the buildah component: in place of the merge key, ' +
          `write in ${definition.name} the keys it brings, all but image`,
      ),
    );
  }

  // before_script: where it comes from now decides what the job must write.
  const ref = installerReference(compatJob);
  const source = sourceOf(pipeline, definition, 'before_script');
  const holder = source && source.via === 'base' ? holderOf(pipeline, source) : undefined;
  if (source?.via === 'own') {
    const value = source.pair.value as Node | null;
    if (isSeq(value) && !value.flow && value.tag !== '!reference' && value.items.length > 0) {
      const firstItem = value.items[0] as Node;
      const already =
        isSeq(firstItem) && firstItem.tag === '!reference' && isScalar(firstItem.items[0]) && firstItem.items[0].value === compatJob;
      if (!already) {
        const dash = text.lastIndexOf('-', firstItem.range?.[0] ?? 0);
        const at = lineStart(text, dash);
        edits.push({ start: at, end: at, text: `${' '.repeat(columnOf(text, dash))}- ${ref}\n` });
        installer = true;
      }
    } else if (isSeq(value) && value.flow && value.tag !== '!reference') {
      const open = text.indexOf('[', value.range?.[0] ?? 0);
      edits.push({ start: open + 1, end: open + 1, text: value.items.length > 0 ? `${ref}, ` : ref });
      installer = true;
    } else if (value) {
      // A scalar, an alias or a !reference: it becomes the second item of a list.
      const pairStart = lineStart(text, ((source.pair.key as Node).range as [number, number, number])[0]);
      const pairEnd = pairRange(text, source.pair)[1];
      const keyIndent = columnOf(text, ((source.pair.key as Node).range as [number, number, number])[0]);
      const own = isAlias(value)
        ? { text: `${' '.repeat(keyIndent + unit)}- *${value.source}\n` }
        : itemText(file, value, keyIndent + unit);
      const carried = new Set(own.carried ? [own.carried] : []);
      edits.push({
        start: pairStart,
        end: pairEnd,
        text:
          `${' '.repeat(keyIndent)}before_script:\n${commentsWithin(file, pairStart, pairEnd, keyIndent + unit, carried)}` +
          `${' '.repeat(keyIndent + unit)}- ${ref}\n${own.text}`,
      });
      installer = true;
    } else {
      const [start, end] = pairRange(text, source.pair);
      edits.push({ start, end, text: `${' '.repeat(indent)}before_script:\n${' '.repeat(indent + unit)}- ${ref}\n` });
      installer = true;
    }
  } else if (source?.via === 'merge') {
    additions += `${' '.repeat(indent)}before_script:\n${' '.repeat(indent + unit)}- ${ref}\n`;
    const value = source.pair.value as Node | null;
    const items = isSeq(value) && value.tag !== '!reference' ? (value.items as Node[]) : value ? [value] : [];
    for (const item of items) additions += itemText(source.file, item, indent + unit).text;
    installer = true;
  } else if (source?.via === 'base') {
    const carries = holder !== undefined && converted.has(holder.name);
    if (!holder)
      reasons.push(
        reason(
          'compat-before-script-source',
          `${needing}, whose installer starts its before_script, but cigen cannot tell which job its before_script comes from`,
        ),
      );
    else if (options.appendCompat) {
      // kaniko-compat, last in extends, would win over the base's before_script: the job names both.
      additions += `${' '.repeat(indent)}before_script:\n`;
      if (!carries) additions += `${' '.repeat(indent + unit)}- ${ref}\n`;
      additions += `${' '.repeat(indent + unit)}- !reference [${holder.name}, before_script]\n`;
      installer = true;
    } else if (!carries) {
      additions += `${' '.repeat(indent)}before_script:\n${' '.repeat(indent + unit)}- ${ref}\n`;
      additions += `${' '.repeat(indent + unit)}- !reference [${holder.name}, before_script]\n`;
      installer = true;
    }
  } else if (pipeline.defaultBeforeScript && effectiveSource(pipeline, definition, 'before_script')) {
    // The default's, which the job runs unless its `inherit: default:` says otherwise.
    const fallback = pipeline.defaultBeforeScript;
    additions += `${' '.repeat(indent)}before_script:\n${' '.repeat(indent + unit)}- ${ref}\n`;
    if (fallback.global) {
      const value = fallback.pair.value as Node | null;
      const items = isSeq(value) && value.tag !== '!reference' ? (value.items as Node[]) : value ? [value] : [];
      for (const item of items) additions += itemText(fallback.file, item, indent + unit).text;
    } else additions += `${' '.repeat(indent + unit)}- !reference [default, before_script]\n`;
    installer = true;
  }

  // extends: kaniko-compat last, so that its image wins over every other base's.
  const extendsPair = map.items.find((p) => keyOf(p) === 'extends');
  const bases = extendsOf(definition);
  if (options.appendCompat && !bases.includes(compatJob)) {
    if (!extendsPair) additions += `${' '.repeat(indent)}extends: ${compatJob}\n`;
    else {
      const value = extendsPair.value as Node;
      if (isScalar(value)) {
        const range = value.range as [number, number, number];
        edits.push({ start: range[0], end: range[1], text: `[${text.slice(range[0], range[1])}, ${compatJob}]` });
      } else if (isSeq(value) && value.flow) {
        const close = text.lastIndexOf(']', (value.range as [number, number, number])[1]);
        edits.push({ start: close, end: close, text: value.items.length > 0 ? `, ${compatJob}` : compatJob });
      } else if (isSeq(value) && value.items.length > 0) {
        const last = value.items.at(-1) as Node;
        const dash = text.lastIndexOf('-', last.range?.[0] ?? 0);
        const end = pairRange(text, extendsPair)[1];
        edits.push({ start: end, end, text: `${' '.repeat(columnOf(text, dash))}- ${compatJob}\n` });
      } else
        reasons.push(
          reason(
            'compat-before-script-source',
            `${needing}, which adds ${compatJob} to its extends, but its extends is neither a name nor a list`,
          ),
        );
    }
  }

  if (options.removeImage && image) {
    const [start, end] = pairRange(text, image);
    edits.push({ start, end, text: commentsWithin(file, start, end, indent) + additions });
  } else if (additions !== '') {
    const last = map.items.at(-1) as Pair;
    const end = pairRange(text, last)[1];
    edits.push({ start: end, end, text: additions });
  }
  return { edits, reasons, installer };
}

/** Whether `definition` (or a base) already extends the kaniko-compat job. */
export function onCompat(pipeline: Pipeline, definition: JobDefinition, compatJob: string, depth = 0): boolean {
  if (depth > 10) return false;
  return extendsOf(definition).some((name) => {
    if (name === compatJob) return true;
    const base = pipeline.jobs.get(name);
    return base !== undefined && base !== definition && onCompat(pipeline, base, compatJob, depth + 1);
  });
}

export type { YAMLMap };
export { isMap };
