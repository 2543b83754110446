/**
 * The doctor component: one job that probes what the runner lets a job do (user namespaces,
 * mounts, seccomp, AppArmor, /proc masking, overlay, /dev/fuse, privileged) and leaves
 * cigen-doctor.json, which `cigen doctor` and `cigen init --doctor-report` read. Not a
 * builder: it shares only job-name and stage with them.
 */
import script from '../../components/doctor/script.sh.hbs';
import { BUILDAH_IMAGE } from '../builders/buildah.js';
import { renderScript } from '../builders/script.js';
import { inputRef } from '../builders/spec.js';
import { plain, stringVariable } from '../builders/variables.js';
import { Literal, type Jobs } from '../ci/model.js';
import { CORE_INPUTS, IMAGE_REFERENCE, type InputDefinition } from '../builders/inputs.js';

/** The buildah image: it has unshare, mount and buildah, so the probe sees what a buildah job would. */
export const DOCTOR_IMAGE: string = BUILDAH_IMAGE;
export const DOCTOR_REPORT = 'cigen-doctor.json';
export const DOCTOR_STORAGE = '/var/lib/containers';

export const DOCTOR_INPUTS: Record<string, InputDefinition> = {
  'job-name': { ...CORE_INPUTS['job-name'], default: 'cigen-doctor' },
  stage: { ...CORE_INPUTS.stage, default: '.pre' },
  'probe-image': {
    type: 'string',
    default: DOCTOR_IMAGE,
    regex: IMAGE_REFERENCE,
    description: 'Image the probe runs in; pinned. Keep it the image your builds run in (a mirror of it is fine), so the probe sees what they would.',
  },
  storage: {
    type: 'string',
    default: DOCTOR_STORAGE,
    regex: String.raw`^[/$][A-Za-z0-9$_{}./-]*$`,
    description: 'Directory where the overlay probe mounts, absolute or from a variable (`$CI_PROJECT_DIR/.containers`): where your builds keep container storage.',
  },
};

export function doctorJobs(): Jobs {
  return {
    [plain(inputRef('job-name'))]: {
      stage: plain(inputRef('stage')),
      image: plain(inputRef('probe-image')),
      variables: {
        CIGEN_DOCTOR_STORAGE: stringVariable(inputRef('storage')),
      },
      script: [new Literal(renderScript(script, { component: 'doctor' }))],
      artifacts: { when: 'always', paths: [DOCTOR_REPORT] },
    },
  };
}
