/**
 * The lines a Kaniko job uses to write /kaniko/.docker/config.json, and what they mean for the
 * component: nothing (the CI_REGISTRY defaults), registry credential inputs, or DOCKER_AUTH_CONFIG
 * (which the component merges by itself).
 */
import type { Command } from './shell.js';

export const KANIKO_CONFIG = /^\/kaniko\/\.docker(\/config\.json)?\/?$/;

export type AuthFinding =
  | { kind: 'defaults' }
  | { kind: 'credentials'; registry: string; user: string; password: string }
  | { kind: 'docker-auth-config' }
  | { kind: 'unknown'; reason: string };

/** `mkdir -p /kaniko/.docker` and the like: preparation the component does not need. */
export function isAuthPreparation(command: Command): boolean {
  const [program, ...args] = command.words.map((w) => w.text);
  return program === 'mkdir' && args.some((a) => KANIKO_CONFIG.test(a)) && args.every((a) => a.startsWith('-') || KANIKO_CONFIG.test(a));
}

/** A command whose output goes to Kaniko's config.json. */
export const writesKanikoConfig = (command: Command): boolean =>
  command.redirects.some((r) => /^>/.test(r.op) && KANIKO_CONFIG.test(r.target));

const REFERENCE = /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g;
const normalize = (name: string): string => `$${name}`;

/** The registry input names a host; config.json keys may be URLs (Docker Hub's always is). */
export function registryHost(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
  return /^(index\.|registry-1\.)?docker\.io$/.test(host) ? 'docker.io' : host;
}

/** What a config.json writer puts there. */
export function readAuth(command: Command): AuthFinding {
  const text = command.words
    .slice(1)
    .map((w) => w.text)
    .join(' ');
  if (/^\$\{?DOCKER_AUTH_CONFIG\}?$/.test(text.trim())) return { kind: 'docker-auth-config' };
  const auths = /"auths"\s*:\s*\{/.exec(text);
  if (!auths) return { kind: 'unknown', reason: 'cigen cannot read what this line writes to /kaniko/.docker/config.json' };
  const entries = [...text.slice(auths.index + auths[0].length).matchAll(/"([^"]+)"\s*:\s*\{/g)];
  if (entries.length !== 1)
    return {
      kind: 'unknown',
      reason:
        `config.json holds ${entries.length} registries; ` + "the component's inputs name one (give the others through DOCKER_AUTH_CONFIG)",
    };
  const entry = entries[0] as RegExpMatchArray;
  const registry = registryHost((entry[1] as string).replace(/^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/, '$$$1'));
  const rest = text.slice(auths.index + auths[0].length + (entry.index as number) + entry[0].length);
  const references = [...rest.matchAll(REFERENCE)].map((m) => m[1] as string);
  if (references.length !== 2)
    return {
      kind: 'unknown',
      reason: 'cigen cannot tell the user and password in the config.json line; pass them as registry-user and registry-password',
    };
  const [user, password] = references.map(normalize) as [string, string];
  if (registry === '$CI_REGISTRY' && user === '$CI_REGISTRY_USER' && password === '$CI_REGISTRY_PASSWORD') return { kind: 'defaults' };
  return { kind: 'credentials', registry, user, password };
}
