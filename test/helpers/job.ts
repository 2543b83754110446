/**
 * A component instantiated the way GitLab would, and the environment a runner would give its
 * job: predefined CI_* variables, then the job's variables (expanded one level unless
 * `expand: false`), then before_script + script as one shell script.
 */
import { instantiate, splitComponentFile, type InterpolationMode } from '../../src/ci/interpolation/index.js';
import { rubyToS } from '../../src/ci/interpolation/ruby.js';
import { findComponent } from '../../src/catalog/registry.js';
import { renderComponent } from '../../src/catalog/document.js';

export interface JobUnderTest {
  name: string;
  job: Record<string, unknown>;
}

export function componentText(component: string): string {
  const definition = findComponent(component);
  if (!definition) throw new Error(`no component ${component}`);
  return renderComponent(definition);
}

export function instantiateComponent(
  component: string,
  inputs: Record<string, unknown>,
  mode: InterpolationMode,
  text = componentText(component),
): JobUnderTest {
  const instance = instantiate(splitComponentFile(text), inputs, mode);
  if (instance.errors.length > 0 || !instance.content) throw new Error(`inputs refused: ${instance.errors.join('; ')}`);
  const [name, job] = Object.entries(instance.content as Record<string, Record<string, unknown>>)[0] as [string, Record<string, unknown>];
  return { name, job };
}

/** GitLab Runner's variable expansion: $VAR and ${VAR}, one level, unknown names empty. */
export function runnerExpand(value: string, env: Readonly<Record<string, string>>): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, a, b) => {
    if (whole === '$$') return '$';
    return env[(a ?? b) as string] ?? '';
  });
}

export const REGISTRY_PASSWORD = 'glpat-s3cr3t-Pa55w0rd-do-not-log';

/**
 * The log line of a job that leaves NAME's credsStore out of the file its tools read, for who reads
 * it (cigen_auth_store_left): Docker, Kaniko or BuildKit, which would ask it in place of `auths`;
 * Buildah or Skopeo, which never read one; cigen (sign, sbom, provenance, verify), which asks one
 * only for a registry the file gives no credentials for.
 */
export function credsStoreSaid(name: string, reader: 'docker' | 'containers' | 'cigen'): string {
  const helper = '(the image must then have the helper, docker-credential-<its name>)';
  const why = {
    docker:
      "left out of the job's config.json: the builders would ask that helper for every registry in place of the credentials " +
      `written there (a registry it does not serve would get none); name the registries it serves in credHelpers instead ${helper}`,
    containers: "left out of the job's auth file, which changes nothing: Buildah and Skopeo do not read credsStore",
    cigen:
      "left out of the job's config.json: cigen would ask that helper only for a registry the file gives no credentials for; " +
      `to have cigen ask it for the registries it serves, name them in credHelpers ${helper}`,
  }[reader];
  return `cigen: ${name}: its credsStore is ${why}\n`;
}

export function predefinedVariables(projectDir: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    CI: 'true',
    GITLAB_CI: 'true',
    CI_PROJECT_DIR: projectDir,
    CI_PROJECT_NAME: 'app',
    CI_PROJECT_TITLE: 'App',
    CI_PROJECT_PATH: 'group/app',
    CI_PROJECT_URL: 'https://gitlab.example.com/group/app',
    CI_SERVER_FQDN: 'gitlab.example.com',
    CI_REGISTRY: 'registry.example.com',
    CI_REGISTRY_IMAGE: 'registry.example.com/group/app',
    CI_REGISTRY_USER: 'gitlab-ci-token',
    CI_REGISTRY_PASSWORD: REGISTRY_PASSWORD,
    CI_JOB_TOKEN: REGISTRY_PASSWORD,
    CI_COMMIT_SHA: '0123456789abcdef0123456789abcdef01234567',
    CI_COMMIT_SHORT_SHA: '01234567',
    CI_COMMIT_REF_NAME: 'main',
    CI_COMMIT_REF_SLUG: 'main',
    CI_COMMIT_TIMESTAMP: '2026-11-23T09:00:00+00:00',
    ...overrides,
  };
}

export function jobEnvironment(job: Record<string, unknown>, predefined: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { ...predefined };
  for (const [key, value] of Object.entries((job['variables'] ?? {}) as Record<string, unknown>)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const { value: raw, expand } = value as { value: unknown; expand?: boolean };
      env[key] = expand === false ? rubyToS(raw) : runnerExpand(rubyToS(raw), env);
    } else {
      env[key] = runnerExpand(rubyToS(value), env);
    }
  }
  return env;
}

export function jobScript(job: Record<string, unknown>): string {
  const lines = [...((job['before_script'] as string[] | undefined) ?? []), ...((job['script'] as string[] | undefined) ?? [])];
  return lines.join('\n');
}
