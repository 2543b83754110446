/**
 * Kaniko, from the community fork that still ships images (osscontainertools/kaniko). The
 * `-debug` variant carries the busybox shell a GitLab job needs; entrypoint "" lets the
 * runner start that shell instead of the executor.
 */
import script from '../../components/kaniko/script.sh.hbs';
import type { Job } from '../ci/model.js';
import { assembleJob } from './job.js';
import { renderScript } from './script.js';
import { REPORT_FILE, type BuildSpec } from './spec.js';
import { buildVariables, plain } from './variables.js';

export const KANIKO_IMAGE = 'ghcr.io/osscontainertools/kaniko:v1.28.5-debug';

export function kanikoJob(spec: BuildSpec, component = 'kaniko'): Job {
  return assembleJob({
    spec,
    image: { name: plain(spec.builderImage), entrypoint: [''] },
    variables: buildVariables(spec),
    script: renderScript(script, { component, reportFile: REPORT_FILE }),
  });
}
