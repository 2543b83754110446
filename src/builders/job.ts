/** The job shape every builder shares: stage, image, variables, the shell library and the job's script, the dotenv report. */
import { Literal, type Image, type Job, type Service, type Variables } from '../ci/model.js';
import type { InputDeclarations } from './inputs.js';
import { shellLibrary } from './script.js';
import { inputRef, REPORT_FILE } from './spec.js';
import { inputVariables, plain } from './variables.js';

export interface JobParts {
  /** The component's inputs: every one that travels in a variable becomes one. */
  inputs: InputDeclarations;
  image: Image;
  services?: Service[];
  /** Settings of the builder itself, after the input variables. */
  environment?: Variables;
  script: string;
}

export function assembleJob(parts: JobParts): Job {
  return {
    stage: plain(inputRef('stage')),
    image: parts.image,
    ...(parts.services ? { services: parts.services } : {}),
    variables: { ...inputVariables(parts.inputs), ...parts.environment },
    // The job's GitLab OIDC token, for registry-login (cloud registries without stored keys). The
    // script takes it out of the environment before any builder runs, whether it is used or not.
    ...('oidc-audience' in parts.inputs ? { id_tokens: { CIGEN_ID_TOKEN: { aud: plain(inputRef('oidc-audience')) } } } : {}),
    // The script is self-contained; before_script stays free for the consumer (it runs in the
    // same shell, so variables it exports can be used in tags, build-args and labels).
    before_script: [],
    script: [shellLibrary(), new Literal(parts.script)],
    artifacts: { reports: { dotenv: REPORT_FILE } },
  };
}

/** The key of the component's job: the job-name input. */
export const jobKey = (): string => plain(inputRef('job-name'));
