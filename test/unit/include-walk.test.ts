/**
 * The one walk over local includes that migrate, the bot and init share (src/ci/include-walk.ts):
 * its order, paths, patterns and cap, the same whether the reader answers at once or fetches, and
 * migrate saying what the cap left unread as the bot always did.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fetchLocalIncludes, MAX_READ_INCLUDES, readLocalIncludes, type IncludeToRead } from '../../src/ci/include-walk.js';
import { migrateFile } from '../../src/migrate/index.js';

type Graph = Record<string, string[]>;
interface File {
  path: string;
}

/** Include locations written as `local:` entries. */
const targets = (paths: readonly string[] | undefined) => (paths ?? []).map((target) => ({ target }));

/** The walk over a graph of files (path -> the include targets it names); a missing key is a missing file. */
function walk(graph: Graph) {
  const asked: IncludeToRead<File>[] = [];
  const visited: string[] = [];
  const result = readLocalIncludes<File>({ path: 'root.yml' }, 'root.yml', {
    includes: (file) => targets(graph[file.path]),
    visit: (file) => visited.push(file.path),
    read: (include) => {
      asked.push(include);
      return include.path in graph ? { path: include.path } : undefined;
    },
  });
  return { asked: asked.map((a) => a.path), visited, files: result.files.map((f) => f.path), capped: result.capped.map((f) => f.path) };
}

describe('the walk over local includes', () => {
  it('reads breadth first, each path once, a leading slash or two the same path, the pipeline file never again', () => {
    const graph: Graph = {
      'root.yml': ['a.yml', '/b.yml', '//a.yml', 'root.yml'],
      'a.yml': ['c.yml', 'b.yml'],
      'b.yml': ['d.yml'],
      'c.yml': [],
      'd.yml': ['/a.yml'],
    };
    expect(walk(graph)).toEqual({
      asked: ['a.yml', 'b.yml', 'c.yml', 'd.yml'],
      visited: ['root.yml', 'a.yml', 'b.yml', 'c.yml', 'd.yml'],
      files: ['a.yml', 'b.yml', 'c.yml', 'd.yml'],
      capped: [],
    });
  });

  it('hands a glob or a variable to the reader as a pattern and never takes a file for it', () => {
    const graph: Graph = { 'root.yml': ['ci/*.yml', '$DIR/x.yml', 'ci/a.yml'], 'ci/*.yml': [], '$DIR/x.yml': [], 'ci/a.yml': [] };
    const patterns: string[] = [];
    const result = readLocalIncludes<File>({ path: 'root.yml' }, 'root.yml', {
      includes: (file) => targets(graph[file.path]),
      read: (include) => {
        if (include.pattern) patterns.push(include.written);
        return { path: include.path };
      },
    });
    expect(patterns).toEqual(['ci/*.yml', '$DIR/x.yml']);
    expect(result.files.map((f) => f.path)).toEqual(['ci/a.yml']);
  });

  it('an include written as a string with a variable and a wildcard is a pattern: GitLab expands the variable before it matches', () => {
    const patterns: string[] = [];
    const result = readLocalIncludes<File>({ path: 'root.yml' }, 'root.yml', {
      includes: (file) =>
        file.path === 'root.yml'
          ? [{ target: 'ci/$ENV/*.yml', expandedFirst: true }, { target: 'ci/$ENV/*.yml' }, { target: 'ci/*.yml', expandedFirst: true }]
          : [],
      files: () => ['ci/a.yml', 'ci/prod/p.yml'],
      read: (include) => {
        if (include.pattern) patterns.push(include.written);
        return { path: include.path };
      },
    });
    // The `local:` wildcard is matched as written, `$ENV` and all: it names no file. The string's stays unread.
    expect(patterns).toEqual(['ci/$ENV/*.yml']);
    expect(result.files.map((f) => f.path)).toEqual(['ci/a.yml']);
  });

  it("given the project's files, reads a wildcard as each file it names, in their order, and none when it names none", () => {
    const graph: Graph = {
      'root.yml': ['/ci/*.yml', 'none/*.yml', 'ci/b.yml', '$DIR/x.yml'],
      'ci/a.yml': ['deep/**.yml'],
      'ci/b.yml': [],
      'deep/x/y.yml': [],
    };
    const asked: IncludeToRead<File>[] = [];
    const result = readLocalIncludes<File>({ path: 'root.yml' }, 'root.yml', {
      includes: (file) => targets(graph[file.path]),
      files: () => ['ci/a.yml', 'ci/b.yml', 'ci/sub/c.yml', 'deep/x/y.yml', 'root.yml'],
      read: (include) => {
        asked.push(include);
        return include.path in graph ? { path: include.path } : undefined;
      },
    });
    expect(asked.map((a) => [a.path, a.pattern])).toEqual([
      ['ci/a.yml', false],
      ['ci/b.yml', false],
      ['$DIR/x.yml', true],
      ['deep/x/y.yml', false],
    ]);
    expect(result.files.map((f) => f.path)).toEqual(['ci/a.yml', 'ci/b.yml', 'deep/x/y.yml']);
  });

  it(`stops at ${MAX_READ_INCLUDES} files read and names the files whose includes were left unread`, () => {
    const graph: Graph = { 'root.yml': [] };
    for (let i = 1; i <= MAX_READ_INCLUDES; i++) {
      graph['root.yml']?.push(`f${i}.yml`);
      graph[`f${i}.yml`] = i <= 2 ? [`deep${i}.yml`] : [];
    }
    graph['deep1.yml'] = [];
    graph['deep2.yml'] = [];
    const { files, capped, asked } = walk(graph);
    expect(files).toHaveLength(MAX_READ_INCLUDES);
    expect(asked).not.toContain('deep1.yml');
    expect(capped).toEqual(['f1.yml', 'f2.yml']);
  });

  it('a file that is missing is asked for once and not counted', () => {
    expect(walk({ 'root.yml': ['gone.yml', 'a.yml', 'gone.yml'], 'a.yml': ['gone.yml'] })).toMatchObject({
      asked: ['gone.yml', 'a.yml'],
      files: ['a.yml'],
    });
  });

  it('walks the same way whether the reader answers at once or fetches', async () => {
    const name = fc.integer({ min: 0, max: 12 }).map((n) => `f${n}.yml`);
    const graphs = fc.dictionary(
      fc.oneof(name, fc.constant('root.yml')),
      fc.array(
        fc.oneof(
          name,
          name.map((n) => `/${n}`),
        ),
        { maxLength: 5 },
      ),
    );
    await fc.assert(
      fc.asyncProperty(graphs, async (graph) => {
        const sync = walk(graph);
        const asked: string[] = [];
        const fetched = await fetchLocalIncludes<File>({ path: 'root.yml' }, 'root.yml', {
          includes: (file) => targets(graph[file.path]),
          read: async (include) => {
            asked.push(include.path);
            await Promise.resolve();
            return include.path in graph ? { path: include.path } : undefined;
          },
        });
        expect(asked).toEqual(sync.asked);
        expect(fetched.files.map((f) => f.path)).toEqual(sync.files);
        // Every path is asked for at most once, and every file read was asked for.
        expect(new Set(sync.asked).size).toBe(sync.asked.length);
        for (const path of sync.files) expect(sync.asked).toContain(path);
      }),
    );
  });
});

describe('migrate at the cap', () => {
  it('says which includes it did not read, as the bot does, and never that they do not exist', () => {
    const files: Record<string, string> = { 'ci/deep.yml': 'deep:\n  script: [echo]\n' };
    let text = 'include:\n';
    for (let i = 1; i <= MAX_READ_INCLUDES; i++) {
      text += `  - local: ci/f${i}.yml\n`;
      files[`ci/f${i}.yml`] = i === 1 ? 'include: ci/deep.yml\n' : `job${i}:\n  script: [echo]\n`;
    }
    const [root] = migrateFile('.gitlab-ci.yml', text, {
      host: { readProjectFile: (path) => files[path], projectFileExists: (path) => path in files },
    });
    expect(root?.unchecked).toEqual([
      '.gitlab-ci.yml: the includes of ci/f1.yml were not read (cigen reads at most 100 included files); their jobs were not checked',
    ]);
  });
});
