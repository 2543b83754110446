/**
 * Docker-in-Docker. UNSAFE by design: the docker:dind service only works in a privileged
 * container, which gives the job full control of the runner's host. Kept for teams that
 * cannot move yet, with TLS between the job and the daemon.
 */
import script from '../../components/dind/script.sh.hbs';
import type { Job } from '../ci/model.js';
import { assembleJob } from './job.js';
import { renderScript } from './script.js';
import { REPORT_FILE, type Bound, type BuildSpec } from './spec.js';
import { buildVariables, plain } from './variables.js';

export const DOCKER_VERSION = '29.9.0';
export const DOCKER_CLI_IMAGE = `docker:${DOCKER_VERSION}-cli`;
export const DOCKER_DIND_IMAGE = `docker:${DOCKER_VERSION}-dind`;

export interface DindSpec extends BuildSpec {
  dindImage: Bound<string>;
}

export function dindJob(spec: DindSpec, component = 'dind'): Job {
  return assembleJob({
    spec,
    image: plain(spec.builderImage),
    // Kubernetes runners start no entrypoint health check of their own: HEALTHCHECK_TCP_PORT.
    services: [{ name: plain(spec.dindImage), alias: 'docker', variables: { HEALTHCHECK_TCP_PORT: '2376' } }],
    variables: {
      ...buildVariables(spec),
      DOCKER_HOST: 'tcp://docker:2376',
      DOCKER_TLS_CERTDIR: '/certs',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: '/certs/client',
      DOCKER_BUILDKIT: '1',
    },
    script: renderScript(script, { component, reportFile: REPORT_FILE }),
  });
}
