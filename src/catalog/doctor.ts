/**
 * The doctor component: one job that probes what the runner lets a job do (user namespaces,
 * mounts, seccomp, AppArmor, /proc masking, overlay, /dev/fuse, privileged) and leaves
 * cigen-doctor.json, which `cigen doctor` and `cigen init --doctor-report` read. Not a builder:
 * it shares only job-name and stage with them. The verdict table and the reasons in its shell
 * are generated from the runner rules (src/runner/capabilities.ts), so shell and TypeScript
 * cannot drift.
 */
import readme from '../../components/doctor/README.md.hbs';
import script from '../../components/doctor/script.sh.hbs';
import { BUILDAH_IMAGE } from '../builders/buildah.js';
import { CORE_INPUTS, jobNameInput, IMAGE_REFERENCE, type InputDeclarations } from '../builders/inputs.js';
import { jobKey } from '../builders/job.js';
import { readLines, renderScript } from '../builders/script.js';
import { inputRef } from '../builders/spec.js';
import { inputVariables, plain } from '../builders/variables.js';
import { Literal, type Jobs } from '../ci/model.js';
import { probeRules } from '../runner/capabilities.js';
import type { ComponentDefinition } from './component.js';

/** The buildah image: it has unshare, mount and buildah, so the probe sees what a buildah job would. */
export const DOCTOR_IMAGE: string = BUILDAH_IMAGE;
export const DOCTOR_REPORT = 'cigen-doctor.json';
export const DOCTOR_STORAGE = '/var/lib/containers';

export const DOCTOR_INPUTS: InputDeclarations = {
  'job-name': jobNameInput('doctor', 'cigen-doctor', 'runner:doctor'),
  stage: { ...CORE_INPUTS.stage, default: '.pre', sample: 'check' },
  'probe-image': {
    type: 'string',
    default: DOCTOR_IMAGE,
    regex: IMAGE_REFERENCE,
    description:
      'Image the probe runs in; pinned. Keep it the image your builds run in (a mirror of it is fine), so the probe sees what ' +
      "they would. The userns, mount and overlay checks run unshare (util-linux): in an image without it (Kaniko's) they say " +
      'could not test.',
    sample: 'mirror.example.com/buildah/stable:v1.43.4',
  },
  storage: {
    type: 'string',
    default: DOCTOR_STORAGE,
    regex: String.raw`^[/$][A-Za-z0-9$_{}./-]*$`,
    variable: 'CIGEN_DOCTOR_STORAGE',
    description:
      'Directory where the overlay probe mounts, absolute or from a variable (`$CI_PROJECT_DIR/.containers`): ' +
      'where your builds keep container storage.',
    sample: '$CI_PROJECT_DIR/.containers',
  },
};

function doctorJobs(): Jobs {
  return {
    [jobKey()]: {
      stage: plain(inputRef('stage')),
      image: plain(inputRef('probe-image')),
      variables: inputVariables(DOCTOR_INPUTS),
      script: [new Literal(renderScript(script, { component: 'doctor', reads: readLines(DOCTOR_INPUTS), ...probeRules() }))],
      artifacts: { when: 'always', paths: [DOCTOR_REPORT] },
    },
  };
}

export const doctorComponent: ComponentDefinition = {
  name: 'doctor',
  title: 'Doctor (what can this runner build with?)',
  summary:
    'Probes the runner (user namespaces, mounts, seccomp, AppArmor, /proc masking, overlay) and recommends a builder component; ' +
    'leaves cigen-doctor.json.',
  unsafe: false,
  images: [DOCTOR_IMAGE],
  inputs: DOCTOR_INPUTS,
  jobs: doctorJobs,
  readme,
  usage: {},
};
