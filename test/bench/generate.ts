// The pipelines the benchmarks run on, generated so that their size is a parameter.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const STAGES = ['build', 'test', 'scan', 'package', 'deploy'];

/**
 * One file, `keys` top-level keys in chains of five: a hidden base and four jobs that each extend
 * the one before (`extends` resolved five deep), with needs, variables, script and rules.
 */
export function chainPipeline(keys: number): string {
  const lines = [`stages: [${STAGES.join(', ')}]`, ''];
  const chains = Math.max(1, Math.round(keys / 5));
  for (let c = 0; c < chains; c++) {
    const stage = STAGES[Math.floor((c * STAGES.length) / chains)] as string;
    lines.push(`.base-${c}:`, '  image: alpine:3.20', '  retry: 1', '  variables:', `    CHAIN: "${c}"`, '');
    for (let d = 1; d <= 4; d++) {
      lines.push(
        `job-${c}-${d}:`,
        `  extends: ${d === 1 ? `.base-${c}` : `job-${c}-${d - 1}`}`,
        `  stage: ${stage}`,
        d === 1 ? '  needs: []' : `  needs: [job-${c}-${d - 1}]`,
        '  script:',
        `    - ./ci/run.sh "${stage}" "$CHAIN" ${d}`,
        '  rules:',
        '    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH',
        '',
      );
    }
  }
  return lines.join('\n');
}

/** The smallest chain pipeline of at least `bytes` bytes. */
export function chainPipelineOfSize(bytes: number): { text: string; keys: number } {
  const perKey = chainPipeline(500).length / 500;
  let keys = Math.ceil(bytes / perKey);
  let text = chainPipeline(keys);
  while (text.length < bytes) text = chainPipeline((keys = Math.ceil(keys * 1.02)));
  return { text, keys };
}

/**
 * A pipeline of about `lines` lines spread over local includes of 25 jobs each, about 19 lines
 * per job (extends, stage, needs, variables, a two-line script, artifacts, cache, rules), as
 * larger projects write them. Returns the files by path.
 */
export function includePipeline(targetLines: number): { files: Record<string, string>; lines: number; jobs: number } {
  const perFile = 25;
  const jobs = Math.max(STAGES.length, Math.round((targetLines - 25) / 19.55));
  const parts = Math.ceil(jobs / perFile);
  const root = [
    `stages: [${STAGES.join(', ')}]`,
    '',
    'variables:',
    '  GIT_DEPTH: "20"',
    '  DOCKER_DRIVER: overlay2',
    '',
    'default:',
    '  image: alpine:3.20',
    '  interruptible: true',
    '  retry:',
    '    max: 2',
    '    when: [runner_system_failure]',
    '',
    '.base:',
    '  before_script:',
    '    - ./ci/setup.sh',
    '  tags: [linux]',
    '',
    'include:',
    ...Array.from({ length: parts }, (_, p) => `  - local: ci/part-${p}.yml`),
    '',
  ];
  const files: Record<string, string> = { '.gitlab-ci.yml': root.join('\n') };
  let lines = root.length;
  const perStage = Math.ceil(jobs / STAGES.length);
  for (let p = 0; p < parts; p++) {
    const out = [`# jobs ${p * perFile} to ${Math.min(jobs, (p + 1) * perFile) - 1}`, ''];
    for (let i = p * perFile; i < Math.min(jobs, (p + 1) * perFile); i++) {
      const s = Math.floor(i / perStage);
      const stage = STAGES[s] as string;
      out.push(
        `job-${i}:`,
        '  extends: .base',
        `  stage: ${stage}`,
        s > 0 ? `  needs: [job-${i - perStage}]` : '  needs: []',
        '  variables:',
        `    SHARD: "${i}"`,
        `    TARGET: ${stage}-${i}`,
        '  script:',
        '    - echo "building shard $SHARD"',
        `    - ./ci/run.sh "${stage}" "$SHARD"`,
        '  artifacts:',
        `    paths: [out/${i}/]`,
        '    expire_in: 1 week',
        '  cache:',
        `    key: ${stage}`,
        '    paths: [.cache/]',
        '  rules:',
        '    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH',
        '',
      );
    }
    lines += out.length;
    files[`ci/part-${p}.yml`] = out.join('\n');
  }
  return { files, lines, jobs };
}

/**
 * One file with `jobs` Kaniko jobs in the shapes the migrate corpus has: anchors and merge keys
 * (`<<: *kaniko`, `<<: [*kaniko, *rules]`), an `extends` template, folded executor lines, and a
 * plain job now and then.
 */
export function kanikoPipeline(jobs: number): string {
  const lines = [
    'stages: [build, test, deploy]',
    '',
    '.kaniko: &kaniko',
    '  stage: build',
    '  image:',
    '    name: gcr.io/kaniko-project/executor:v1.23.2-debug',
    '    entrypoint: [""]',
    '  before_script:',
    '    - mkdir -p /kaniko/.docker',
    '    - echo "{\\"auths\\":{\\"$CI_REGISTRY\\":{\\"username\\":\\"$CI_REGISTRY_USER\\",' +
      '\\"password\\":\\"$CI_REGISTRY_PASSWORD\\"}}}" > /kaniko/.docker/config.json',
    '',
    '.main-only: &main-only',
    '  rules:',
    '    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH',
    '',
    '.kaniko-template:',
    '  image:',
    '    name: gcr.io/kaniko-project/executor:v1.23.2-debug',
    '    entrypoint: [""]',
    '  stage: build',
    '',
  ];
  for (let i = 0; i < jobs; i++) {
    const destination = `--destination "$CI_REGISTRY_IMAGE/app-${i}:$CI_COMMIT_SHORT_SHA"`;
    const context = `--context "$CI_PROJECT_DIR/app-${i}" --dockerfile "$CI_PROJECT_DIR/app-${i}/Dockerfile"`;
    switch (i % 4) {
      case 0:
        lines.push(`image-${i}:`, '  <<: *kaniko', '  script:', `    - /kaniko/executor ${context} ${destination}`, '');
        break;
      case 1:
        lines.push(
          `image-${i}:`,
          '  <<: [*kaniko, *main-only]',
          '  script:',
          '    - /kaniko/executor',
          `      ${context}`,
          `      ${destination}`,
          '      --cache=true',
          '',
        );
        break;
      case 2:
        lines.push(
          `image-${i}:`,
          '  extends: .kaniko-template',
          '  script:',
          `    - /kaniko/executor ${context} ${destination}`,
          '  when: manual',
          '',
        );
        break;
      default:
        lines.push(`test-${i}:`, '  stage: test', '  image: node:20', '  script:', '    - npm ci', '    - npm test', '');
    }
  }
  return lines.join('\n');
}

/** A throwaway git project holding `files` (committed: gitlab-ci-local reads tracked files, the remote and HEAD). */
export function gitProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-bench-project-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', 'https://gitlab.example.com/group/project.git');
  git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');
  git('add', '-A');
  git('-c', 'user.email=bench@example.com', '-c', 'user.name=bench', 'commit', '-q', '-m', 'bench');
  return dir;
}
