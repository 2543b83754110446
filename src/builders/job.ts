/** The job shape every builder shares: stage, image, variables, one script, the dotenv report. */
import { Literal, type Image, type Job, type Service, type Variables } from '../ci/model.js';
import { plain } from './variables.js';
import { REPORT_FILE, type BuildSpec } from './spec.js';

export interface JobParts {
  spec: BuildSpec;
  image: Image;
  services?: Service[];
  variables: Variables;
  script: string;
}

export function assembleJob(parts: JobParts): Job {
  return {
    stage: plain(parts.spec.stage),
    image: parts.image,
    ...(parts.services ? { services: parts.services } : {}),
    variables: parts.variables,
    // The script is self-contained; before_script stays free for the consumer (it runs in the
    // same shell, so variables it exports can be used in tags, build-args and labels).
    before_script: [],
    script: [new Literal(parts.script)],
    artifacts: { reports: { dotenv: REPORT_FILE } },
  };
}
