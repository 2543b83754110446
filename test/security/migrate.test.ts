/**
 * Issue 13.7: a literal dollar in a Kaniko job (escaped, or in single quotes) must not become a
 * variable the component expands — `--build-arg "X=\$CI_JOB_TOKEN"` handed the real token to the
 * build. Migrated, then run as the component would run it: the build gets the literal text.
 */
import { afterEach, expect, it } from 'vitest';
import { migrateFile } from '../../src/migrate/index.js';
import { REGISTRY_PASSWORD, instantiateComponent, jobEnvironment, jobScript, predefinedVariables } from '../helpers/job.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

let box: Sandbox | undefined;
afterEach(() => box?.dispose());

it('13.7: an escaped $CI_JOB_TOKEN in a build argument reaches the build as text, never as the token', () => {
  const pipeline = [
    'build:',
    '  image: gcr.io/kaniko-project/executor:debug',
    '  script:',
    '    - /kaniko/executor --context $CI_PROJECT_DIR --destination $CI_REGISTRY_IMAGE:1',
    '      --build-arg "X=\\$CI_JOB_TOKEN" --build-arg \'Y=$CI_JOB_TOKEN\' --build-arg "Z=$CI_COMMIT_SHORT_SHA"',
    '',
  ].join('\n');
  const [file] = migrateFile('.gitlab-ci.yml', pipeline);
  const job = file?.jobs.find((j) => j.name === 'build');
  expect(job?.status).toBe('migrated');
  expect(job?.inputs?.['build-args']).toEqual(['X=$$CI_JOB_TOKEN', 'Y=$$CI_JOB_TOKEN', 'Z=$CI_COMMIT_SHORT_SHA']);

  box = createSandbox();
  const { job: component } = instantiateComponent('buildah', { 'build-args': job?.inputs?.['build-args'], cache: false }, 'classic');
  const result = box.run(jobScript(component), jobEnvironment(component, predefinedVariables(box.projectDir)), 'bash');
  expect(result.status, result.stderr).toBe(0);
  const build = box.calls('buildah').find((call) => call.argv[0] === 'build');
  expect(build?.argv).toEqual(
    expect.arrayContaining(['--build-arg=X=$CI_JOB_TOKEN', '--build-arg=Y=$CI_JOB_TOKEN', '--build-arg=Z=01234567']),
  );
  expect(build?.argv.join(' ')).not.toContain(REGISTRY_PASSWORD);
});
