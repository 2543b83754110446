/**
 * What a builder is: everything true of one way to build an image, in one module per builder
 * (src/builders/<id>.ts). The list of builders (./index.ts) is derived from those modules, and
 * the catalog, init, doctor, migrate and the tests all read it.
 */
import type { Job } from '../ci/model.js';
import { CORE_INPUTS, builderImageInput, type InputDeclarations } from './inputs.js';
import type { RunnerRequirements } from './runner.js';
import type { Template } from './script.js';
import { inputVariables } from './variables.js';

export interface Builder<Id extends string = string> {
  /** The component name (templates/<id>.yml) and the builder's name everywhere. */
  id: Id;
  title: string;
  /** One line for listings. */
  summary: string;
  /** Gives the job control of the runner's host (privileged). */
  unsafe: boolean;
  /** The pinned images the job runs; the first is the `builder-image` default. */
  images: readonly string[];
  /** Every input of the component: the shared vocabulary, `builder-image`, then its own. */
  inputs: InputDeclarations;
  runner: RunnerRequirements;
  /** components/<id>/README.md.hbs */
  readme: Template;
  /** The component's job, every value an input reference; `inputs` defaults to the builder's own
   *  (a test passes more to show that a new declaration is all a new input needs). */
  job(inputs?: InputDeclarations): Job;
}

/** The inputs of a builder component, in spec order. */
export const builderInputs = (image: string, imageSample: string, own: InputDeclarations = {}): InputDeclarations => ({
  ...CORE_INPUTS,
  'builder-image': builderImageInput(image, imageSample),
  ...own,
});

export { inputVariables };
