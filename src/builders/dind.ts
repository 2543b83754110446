/**
 * Docker-in-Docker. UNSAFE by design: the docker:dind service only works in a privileged
 * container, which gives the job full control of the runner's host. Kept for teams that cannot
 * move yet, with TLS between the job and the daemon.
 */
import readme from '../../components/dind/README.md.hbs';
import script from '../../components/dind/script.sh.hbs';
import serviceScript from '../../components/dind/service.sh.hbs';
import { Literal } from '../ci/model.js';
import { builderInputs, type Builder } from './builder.js';
import { CORE_INPUTS, IMAGE_REFERENCE, type InputDeclarations } from './inputs.js';
import { assembleJob } from './job.js';
import { dockerRunners, helmValues, K8S_KUBERNETES, type RunnerConfig, type RunnerExecutor } from './runner.js';
import { readLines, renderBuildScript, renderScript } from './script.js';
import { inputRef } from './spec.js';
import { plain } from './variables.js';

export const DOCKER_VERSION = '29.9.0';
export const DOCKER_CLI_IMAGE = `docker:${DOCKER_VERSION}-cli`;
export const DOCKER_DIND_IMAGE = `docker:${DOCKER_VERSION}-dind`;

const INPUTS = builderInputs(DOCKER_CLI_IMAGE, 'mirror.example.com/docker:29.9.0-cli', {
  // What the shared inputs offer that the daemon cannot do: the job refuses it, and says so here.
  reproducible: {
    ...CORE_INPUTS.reproducible,
    description:
      'Not on dind: the job stops when it is `true` (the Docker daemon does not set build timestamps from the commit); ' +
      'buildah, buildkit and kaniko take it.',
    sample: false,
  },
  'tls-verify': {
    ...CORE_INPUTS['tls-verify'],
    description:
      'Stays `true` on dind: the Docker daemon checks TLS per registry, so the job stops on `false`; name test registries ' +
      'in `insecure-registries` instead.',
    sample: true,
  },
  'dependency-proxy': {
    ...CORE_INPUTS['dependency-proxy'],
    description:
      'Not on dind: the job stops when it is `true` (the Docker daemon takes mirrors without a path, and the Dependency Proxy ' +
      'has one); write `FROM $CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX/...` in the Dockerfile, or use buildah.',
    sample: false,
  },
  'registry-mirrors': {
    ...CORE_INPUTS['registry-mirrors'],
    description:
      'Docker Hub mirrors for the daemon, tried before Docker Hub itself: `MIRROR` or `docker.io=MIRROR` items, each a ' +
      '`host[:port]` without a path (the Docker daemon mirrors `docker.io` only, and takes a mirror without a path), ' +
      "written literally: the docker:dind service reads them when it starts, without the project's CI/CD variables. " +
      'A mirror also in `insecure-registries` is reached over plain HTTP.',
    sample: ['mirror.example.com'],
  },
  'insecure-registries': {
    ...CORE_INPUTS['insecure-registries'],
    description:
      'Hosts (`host[:port]`) the daemon reaches over plain HTTP or without certificate checks; only these. Every other ' +
      "registry is verified. Written literally: the docker:dind service reads them when it starts, without the project's " +
      'CI/CD variables, so the job stops on a `$VARIABLE`.',
  },
  'dind-image': {
    type: 'string',
    default: DOCKER_DIND_IMAGE,
    regex: IMAGE_REFERENCE,
    description: 'Image of the docker:dind service; keep it on the same Docker version as `builder-image`.',
    sample: 'mirror.example.com/docker:29.9.0-dind',
  },
});

/** The docker:dind service's entrypoint: the daemon's half of the registry inputs. */
function serviceEntrypoint(inputs: InputDeclarations): string {
  const read = Object.fromEntries(Object.entries(inputs).filter(([name]) => name === 'registry-mirrors' || name === 'insecure-registries'));
  return renderScript(serviceScript, { component: 'dind service', reads: readLines(read) });
}

function config(executor: RunnerExecutor): RunnerConfig {
  if (executor === 'docker') {
    return {
      format: 'toml',
      text: `${dockerRunners('dind')}    # UNSAFE: privileged = true gives every job on this runner root on the host: any job
    # can read other jobs' secrets, change the runner and escape to the machine. Use it only
    # on a runner of its own that runs nothing but trusted projects; prefer buildah.
    privileged = true
    # /certs/client: the TLS client certificates the docker:dind service creates, shared with
    # the job; /cache: the runner's cache volume.
    volumes = ["/certs/client", "/cache"]
`,
      notes: [
        'UNSAFE: a privileged runner gives every job on it control of the host. ' +
          'Prefer buildah (cigen runner-config --builder buildah --executor docker).',
        'Keep DOCKER_TLS_CERTDIR="/certs" (the dind component sets it) so the daemon is only reachable with the shared client ' +
          'certificates.',
      ],
    };
  }
  return {
    format: 'yaml',
    text: helmValues(
      'dind',
      `${K8S_KUBERNETES}    # UNSAFE: privileged = true gives every job on this runner root on the node: any job can
    # read other pods' secrets and escape to the machine. Use it only on a runner of its own
    # that runs nothing but trusted projects; prefer buildah.
    privileged = true

    # The TLS client certificates the docker:dind service creates, shared with the job.
    [[runners.kubernetes.volumes.empty_dir]]
      name = "docker-certs"
      mount_path = "/certs/client"
      medium = "Memory"
`,
    ),
    notes: [
      'UNSAFE: a privileged runner gives every job on it control of the node. ' +
        'Prefer buildah (cigen runner-config --builder buildah --executor kubernetes).',
      'Pod Security Standards baseline and restricted refuse privileged pods: the runner namespace must be privileged.',
    ],
  };
}

export const dind = {
  id: 'dind',
  title: 'Docker-in-Docker (UNSAFE: privileged)',
  summary:
    'docker build against a docker:dind service. UNSAFE: needs a privileged runner, which gives every job on it control of the host.',
  unsafe: true,
  images: [DOCKER_CLI_IMAGE, DOCKER_DIND_IMAGE],
  inputs: INPUTS,
  runner: {
    needs: ['privileged'],
    impossibleOn: {
      shell:
        'not possible on a shell executor: it runs jobs on the host and starts no services:, and this job needs the docker:dind service',
    },
    config,
  },
  readme,
  job: (inputs: InputDeclarations = INPUTS) =>
    assembleJob({
      inputs,
      image: plain(inputRef('builder-image')),
      // Kubernetes runners start no entrypoint health check of their own: HEALTHCHECK_TCP_PORT.
      // The entrypoint writes the daemon's registry settings, then starts it as the image would.
      services: [
        {
          name: plain(inputRef('dind-image')),
          alias: 'docker',
          entrypoint: ['sh', '-c', new Literal(serviceEntrypoint(inputs))],
          variables: { HEALTHCHECK_TCP_PORT: '2376' },
        },
      ],
      environment: {
        DOCKER_HOST: 'tcp://docker:2376',
        DOCKER_TLS_CERTDIR: '/certs',
        DOCKER_TLS_VERIFY: '1',
        DOCKER_CERT_PATH: '/certs/client',
        DOCKER_BUILDKIT: '1',
      },
      script: renderBuildScript(script, 'dind', inputs),
    }),
} as const satisfies Builder<'dind'>;
