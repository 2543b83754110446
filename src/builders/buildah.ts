/**
 * Buildah, daemonless and without a privileged container. `chroot` isolation needs only
 * mount + user namespaces in the job container; `rootless` adds PID/IPC namespaces and needs
 * /proc unmasked (Kubernetes runners with procMount: Unmasked and user namespaces).
 */
import script from '../../components/buildah/script.sh.hbs';
import type { Job } from '../ci/model.js';
import { assembleJob } from './job.js';
import { renderScript } from './script.js';
import { REPORT_FILE, type Bound, type BuildSpec } from './spec.js';
import { buildVariables, plain, stringVariable } from './variables.js';

/** Rebuilt daily upstream with security fixes; the minor version is what we test against. */
export const BUILDAH_IMAGE = 'quay.io/buildah/stable:v1.43.4';
export const STORAGE_DRIVERS = ['overlay', 'vfs'] as const;
export const IMAGE_FORMATS = ['oci', 'docker'] as const;

export type BuildahIsolation = 'chroot' | 'rootless';

export interface BuildahSpec extends BuildSpec {
  storageDriver: Bound<string>;
  format: Bound<string>;
}

export function buildahJob(spec: BuildahSpec, isolation: BuildahIsolation = 'chroot', component = 'buildah'): Job {
  return assembleJob({
    spec,
    image: plain(spec.builderImage),
    variables: {
      ...buildVariables(spec),
      CIGEN_STORAGE_DRIVER: stringVariable(spec.storageDriver),
      CIGEN_FORMAT: stringVariable(spec.format),
    },
    script: renderScript(script, { component, isolation, reportFile: REPORT_FILE }),
  });
}
