/** What the kaniko-compat system tests assert of one run of the executor (a stub buildah in the sandbox). */
import { expect } from 'vitest';
import { REGISTRY_PASSWORD } from './job.js';
import type { StubCall } from './sandbox.js';

export interface CompatRun {
  status: number;
  stdout: string;
  stderr: string;
  build: StubCall | undefined;
}

/** It ran to the end, quietly, and printed no credential. */
export const ok = (run: CompatRun): void => {
  expect(run.stderr, run.stdout).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).not.toContain(REGISTRY_PASSWORD);
};

/** One line on stderr naming what stopped the job, and no build. */
export const refused = (run: CompatRun, text: string): void => {
  expect(run.status).toBe(1);
  expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^cigen: error: kaniko-compat: /)]);
  expect(run.stderr).toContain(text);
  expect(run.build).toBeUndefined();
};
