/**
 * The text `cigen init` writes is its own: when that text does not parse, the defect is init's,
 * and it says so (an internal error) instead of calling the user's file invalid YAML at a line the
 * file does not have. The splicer writes a broken edit through a mock, so no real defect is needed.
 */
import { describe, expect, it, vi } from 'vitest';
import type * as Splice from '../../src/ci/splice.js';

vi.mock('../../src/ci/splice.js', async (importOriginal) => ({
  ...(await importOriginal<typeof Splice>()),
  addIncludeEntries: () => ({ start: 0, end: 0, text: 'include: [\n' }),
}));

const { scaffold } = await import('../../src/init/scaffold.js');
const { findDockerfiles, proposeBuilds } = await import('../../src/init/plan.js');
const { SourceError } = await import('../../src/ci/source.js');

describe("init's own text that does not parse", () => {
  it('is an error of init, naming its edit, not a SourceError that blames the file', () => {
    const build = () =>
      scaffold('.gitlab-ci.yml', 'unit:\n  script: [x]\n', proposeBuilds(findDockerfiles(['Dockerfile'])), 'example.com/cigen/kaniko@1');
    expect(build).toThrow(/^init's edit of \.gitlab-ci\.yml does not parse \(\d+:\d+: invalid YAML: .+\); nothing was written$/);
    try {
      build();
    } catch (error) {
      expect(error).not.toBeInstanceOf(SourceError);
    }
  });
});
