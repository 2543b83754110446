/** What a catalog component is: one templates/<name>.yml, its inputs, its jobs, its docs. */
import type { BuilderId } from '../builders/index.js';
import type { InputDeclarations } from '../builders/inputs.js';
import type { Template } from '../builders/script.js';
import type { InputValue } from '../ci/interpolation/inputs.js';
import type { Jobs } from '../ci/model.js';

export interface ComponentDefinition {
  /** templates/<name>.yml */
  name: string;
  /** The image builder it runs; none for a tool such as the migration bot. */
  builder?: BuilderId;
  title: string;
  /** One line for listings. */
  summary: string;
  /** Gives the job control of the runner's host. */
  unsafe: boolean;
  /** The pinned image(s) the component runs, for docs and the pinning check. */
  images: readonly string[];
  inputs: InputDeclarations;
  jobs(): Jobs;
  /** The inputs the docs' usage example passes (every documented snippet is linted in a test). */
  usage: Readonly<Record<string, InputValue>>;
  /** Other catalog components the usage example includes first, with their inputs: the jobs this one needs. */
  usageWith?: readonly { component: string; inputs: Readonly<Record<string, InputValue>> }[];
  /** Jobs the usage example writes after its include: the job that extends a hidden job. */
  usageJobs?: string;
  /** components/<name>/README.md.hbs */
  readme: Template;
}
