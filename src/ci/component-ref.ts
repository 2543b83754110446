/** Where this catalog lives and which version consumers pin. One place, read by docs, init and migrate. */
import packageJson from '../../package.json' with { type: 'json' };

export const CATALOG_VERSION: string = packageJson.version;
export const CATALOG_MAJOR = CATALOG_VERSION.split('.')[0] as string;
/** The catalog project's path on the GitLab instance (group/project). */
export const CATALOG_PATH = 'ci-components/cigen';
export const DEFAULT_COMPONENT_PREFIX = `$CI_SERVER_FQDN/${CATALOG_PATH}`;

export const componentRef = (name: string, version: string = CATALOG_MAJOR): string => `${DEFAULT_COMPONENT_PREFIX}/${name}@${version}`;
