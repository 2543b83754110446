/** GitLab CI's top-level keywords: every other top-level key of a pipeline is a job. */
export const GLOBAL_KEYWORDS: ReadonlySet<string> = new Set([
  'image',
  'services',
  'cache',
  'before_script',
  'after_script',
  'variables',
  'stages',
  'types',
  'include',
  'workflow',
  'default',
  'spec',
  '$schema',
]);

/** The stages a pipeline has when it declares none. */
export const DEFAULT_STAGES: readonly string[] = ['build', 'test', 'deploy'];
