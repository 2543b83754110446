/**
 * The repository and image-reference rules the `image`, `cache-repo` and image inputs take (and
 * `cigen init --image`): distribution's reference grammar — path components of lowercase letters
 * and digits with one `.` or `_`, `__` or dashes between them, a registry port on the first, or a
 * registry host in any case first; a digest written out or a variable — with variables standing for
 * any part. The same text is the inputs' `regex:`, which GitLab runs in RE2.
 */
import { describe, expect, it } from 'vitest';
import { CORE_INPUTS, IMAGE_REFERENCE, REPOSITORY } from '../../src/builders/inputs.js';
import { compileRe2 } from '../../src/ci/re2.js';

const repository = new RegExp(REPOSITORY);
const reference = new RegExp(IMAGE_REFERENCE);

describe('a repository', () => {
  it.each([
    '$CI_REGISTRY_IMAGE',
    '$CI_REGISTRY_IMAGE/app',
    '${CI_REGISTRY_IMAGE}/app',
    'registry.example.com:5000/group/app',
    '$CI_REGISTRY/group/my_app__v2/web-api',
    'docker.io/library/alpine',
    'a.b-c/x--y/z',
    '$REGISTRY:5000/$GROUP/app',
    '$CI_REGISTRY_IMAGE/${CI_COMMIT_REF_SLUG}',
    '$A.b/x-$B/${C}d',
    'Registry.Example.com/group/app',
    'Registry.Example.com:5000/group/$APP',
    'REGISTRY:5000/app',
  ])('takes %s', (value) => {
    expect(repository.test(value)).toBe(true);
  });

  it.each([
    ['$CI_REGISTRY_IMAGE/', 'a trailing slash'],
    ['$CI_REGISTRY_IMAGE//app', 'an empty component'],
    ['a/../b', 'a component of dots'],
    ['a/./b', 'a component of one dot'],
    ['a/.-b', 'a component that starts with a separator'],
    ['a/b-', 'a component that ends with a separator'],
    ['a/b___c', 'three underscores'],
    ['a/b._c', 'two separators'],
    ['a:5000', 'a port with no path after it (a tag, to a registry)'],
    ['a/b:5000/c', 'a port after the first component'],
    ['registry.example.com/App/web', 'upper case in the path'],
    ['Registry.Example.com', 'a host alone'],
    ['App/web', 'upper case in a first component that no tool reads as a host (no dot, no port)'],
    ['Registry.Example.com:5000/a/b:5000/c', 'a port after the first component'],
    ['Registry..Example.com/app', 'an empty host label'],
    ['Registry.Example.com-/app', 'a host label that ends with a dash'],
    ['/app', 'a leading slash'],
  ])('refuses %s (%s)', (value) => {
    expect(repository.test(value)).toBe(false);
  });
});

describe('an image reference', () => {
  it.each([
    'quay.io/buildah/stable:v1.38.1',
    'registry.example.com:5000/group/app:1.0@sha256:' + 'a'.repeat(64),
    '$CI_REGISTRY_IMAGE/app:$CI_COMMIT_SHORT_SHA',
    'alpine',
    // The digest through a variable, as a report gives the repository and the digest apart.
    '$CIGEN_BUILT_IMAGE@$CIGEN_BUILT_DIGEST',
    '${CIGEN_BUILT_IMAGE}@${CIGEN_BUILT_DIGEST}',
    '$CI_REGISTRY_IMAGE:$TAG@$DIGEST',
    'Registry.Example.com/app:1',
    'Registry.Example.com:5000/group/app@sha256:' + 'a'.repeat(64),
  ])('takes %s', (value) => {
    expect(reference.test(value)).toBe(true);
  });

  it.each([
    'quay.io//buildah:1',
    'quay.io/buildah/:1',
    'quay.io/buildah:-1',
    'app@$',
    'app@$DIGEST-x',
    'app@sha256:$HEX',
    'app@${DIGEST',
    'registry.example.com/App:1',
  ])('refuses %s', (value) => {
    expect(reference.test(value)).toBe(false);
  });
});

it('both compile in RE2, as GitLab reads a regex: in a spec, and stay linear on a long near-miss', () => {
  expect(compileRe2(REPOSITORY).ok).toBe(true);
  expect(compileRe2(IMAGE_REFERENCE).ok).toBe(true);
  // One way to split any value: a long value that fails at its end fails at once. Variables read as
  // GitLab reads them (`$a_` is the variable a_) leave no split to try one by one either.
  expect(repository.test(`${'a-'.repeat(5000)}/`)).toBe(false);
  expect(reference.test(`${'a.b'.repeat(5000)}//`)).toBe(false);
  expect(reference.test(`${'A.b-'.repeat(5000)}x//`)).toBe(false);
  expect(repository.test(`${'A.b'.repeat(5000)}/a/`)).toBe(false);
  expect(reference.test(`a@${'$aa'.repeat(200)}!`)).toBe(false);
  expect(repository.test(`${'$a_'.repeat(200)}!`)).toBe(false);
  expect(repository.test(`${'$aa'.repeat(200)}!`)).toBe(false);
  expect(reference.test(`x:${'$aa'.repeat(200)}!`)).toBe(false);
  const target = new RegExp(CORE_INPUTS.target.regex);
  expect(target.test(`${'$aa'.repeat(200)}!`)).toBe(false);
  expect(['runtime', '$TARGET', '${T}x', 'a-$T', ''].map((value) => target.test(value))).toEqual([true, true, true, true, true]);
});
