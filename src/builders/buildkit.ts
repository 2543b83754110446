/**
 * Rootless BuildKit through buildctl-daemonless.sh. --oci-worker-no-process-sandbox keeps
 * the build in the job's PID namespace (like Buildah's chroot isolation), so /proc need not
 * be unmasked; seccomp and AppArmor must still allow unshare and mount.
 */
import script from '../../components/buildkit/script.sh.hbs';
import type { Job } from '../ci/model.js';
import { assembleJob } from './job.js';
import { renderScript } from './script.js';
import { REPORT_FILE, type BuildSpec } from './spec.js';
import { buildVariables, plain } from './variables.js';

export const BUILDKIT_IMAGE = 'moby/buildkit:v0.34.0-rootless';

export function buildkitJob(spec: BuildSpec, component = 'buildkit'): Job {
  return assembleJob({
    spec,
    // The image's entrypoint starts a daemon; an empty one lets the runner run the script.
    image: { name: plain(spec.builderImage), entrypoint: [''] },
    variables: {
      ...buildVariables(spec),
      BUILDKITD_FLAGS: '--oci-worker-no-process-sandbox',
    },
    script: renderScript(script, { component, reportFile: REPORT_FILE }),
  });
}
