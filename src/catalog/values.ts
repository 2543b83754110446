/**
 * Checks on input values that GitLab cannot express (array inputs have no regex) but the job
 * would refuse at run time: a tag that is not a tag, a build argument without a KEY. Items that
 * reference variables are checked by the job once they are expanded.
 */

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function items(name: string, value: unknown, errors: string[]): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  value.forEach((item, index) => {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') out.push(String(item));
    else errors.push(`\`${name}\` input: item ${index + 1} is not a string`);
  });
  return out;
}

const hasReference = (text: string): boolean => /\$(\{?[A-Za-z_])/.test(text);

export function checkBuildInputValues(values: Readonly<Record<string, unknown>>): string[] {
  const errors: string[] = [];
  const tags = items('tags', values['tags'], errors);
  if (Array.isArray(values['tags']) && tags.length === 0) errors.push('`tags` input: give at least one tag');
  for (const tag of tags) {
    if (!hasReference(tag) && !TAG.test(tag))
      errors.push(`\`tags\` input: ${JSON.stringify(tag)} is not a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-], at most 128 characters)`);
  }
  for (const arg of items('build-args', values['build-args'], errors)) {
    const key = arg.split('=', 1)[0] as string;
    if (!hasReference(key) && !VARIABLE_NAME.test(key))
      errors.push(`\`build-args\` input: ${JSON.stringify(arg)} is not KEY=VALUE with KEY a variable name`);
  }
  for (const label of items('labels', values['labels'], errors)) {
    if (!/^[^=]+=/.test(label)) errors.push(`\`labels\` input: ${JSON.stringify(label)} is not KEY=VALUE`);
  }
  return errors;
}
