// Issue 4: `cigen lint` on (a) a typical 60-line pipeline and (b) a generated 500-job pipeline,
// against `gitlab-ci-local --preview` (which also validates GitLab's schema) on the same files
// and `node -e 0` (the floor), in the same run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measure, mb, ms, ratio, table, type SuiteResult } from './lib.js';

/** 500 jobs over 5 stages with extends, needs, rules, artifacts and variables: ~5,000 lines. */
export function largePipeline(jobs = 500): string {
  const stages = ['build', 'test', 'scan', 'package', 'deploy'];
  const lines = [`stages: [${stages.join(', ')}]`, '', '.base:', '  image: alpine:3.20', '  retry: 1', '  interruptible: true', ''];
  for (let i = 0; i < jobs; i++) {
    const stage = stages[Math.floor((i * stages.length) / jobs)] as string;
    const previous = i >= jobs / stages.length ? `job-${i - Math.floor(jobs / stages.length)}` : undefined;
    lines.push(
      `job-${i}:`,
      '  extends: .base',
      `  stage: ${stage}`,
      ...(previous ? [`  needs: [${previous}]`] : ['  needs: []']),
      '  variables:',
      `    SHARD: "${i}"`,
      '  script:',
      `    - ./ci/run.sh "${stage}" "$SHARD"`,
      '  rules:',
      '    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH',
      '',
    );
  }
  return lines.join('\n');
}

/** A throwaway git project for gitlab-ci-local, which reads the remote and HEAD. */
function project(pipeline: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-bench-lint-'));
  writeFileSync(join(dir, '.gitlab-ci.yml'), pipeline);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', 'https://gitlab.example.com/group/project.git');
  git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');
  git('-c', 'user.email=bench@example.com', '-c', 'user.name=bench', 'commit', '-q', '--allow-empty', '-m', 'bench');
  return dir;
}

export function run({ root }: { root: string }): SuiteResult {
  const typical = readFileSync(join(root, 'test/bench/fixtures/lint/typical.gitlab-ci.yml'), 'utf8');
  const large = largePipeline();
  const projects = { typical: project(typical), large: project(large) };
  try {
    const cigen = (dir: string) => [process.execPath, join(root, 'bin/cigen.cjs'), 'lint', join(dir, '.gitlab-ci.yml')];
    const glcl = [join(root, 'node_modules/.bin/gitlab-ci-local'), '--preview'];
    const floor = measure([process.execPath, '-e', '0']);
    const rows: string[][] = [['`node -e 0` (floor)', '', ms(floor.wall), mb(floor.rss), '1.00×', '']];
    for (const [name, lines] of [
      ['typical', typical.split('\n').length],
      ['large', large.split('\n').length],
    ] as const) {
      const dir = projects[name];
      const ours = measure(cigen(dir), { runs: name === 'large' ? 5 : 9 });
      const peer = measure(glcl, { cwd: dir, runs: name === 'large' ? 3 : 5, warmup: 1 });
      const label = name === 'typical' ? `(a) typical pipeline, ${lines} lines` : `(b) 500 jobs, ${lines} lines`;
      rows.push([
        `\`cigen lint\``,
        label,
        ms(ours.wall),
        mb(ours.rss),
        ratio(ours.wall, floor.wall),
        `${(peer.wall / ours.wall).toFixed(1)}× faster`,
      ]);
      rows.push([`\`gitlab-ci-local --preview\``, label, ms(peer.wall), mb(peer.rss), ratio(peer.wall, floor.wall), '']);
    }
    return {
      title: '`cigen lint` (targets: (a) within 2.5× the floor; (b) at least 5× faster than gitlab-ci-local)',
      markdown: table(['command', 'file', 'median wall', 'peak RSS', 'vs floor', 'vs gitlab-ci-local'], rows),
    };
  } finally {
    for (const dir of Object.values(projects)) rmSync(dir, { recursive: true, force: true });
  }
}
