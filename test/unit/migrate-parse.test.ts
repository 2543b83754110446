/** The readers under `cigen migrate`: shell words, Kaniko flags, destinations, config.json lines. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readAuth } from '../../src/migrate/auth.js';
import { splitDestination, translateExecutor } from '../../src/migrate/kaniko.js';
import { argv, parseShell, type Command } from '../../src/migrate/shell.js';

/** Quotes a word the ways people write them in CI scripts. */
const quoted = (word: string, style: number): string => {
  if (style === 0 && /^[A-Za-z0-9_./:=@%+-]+$/.test(word)) return word;
  if (style === 1 && !word.includes("'")) return `'${word}'`;
  if (style === 2) return `"${word.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
  return word.replace(/[^A-Za-z0-9_./:=@%+-]/g, (c) => `\\${c}`);
};

describe('shell words', () => {
  it('reads any word back exactly, however it is quoted and however the line is continued', () => {
    const word = fc.string({
      minLength: 1,
      maxLength: 12,
      unit: fc.constantFrom(
        'a',
        'Z',
        '0',
        '-',
        '=',
        '/',
        ' ',
        '"',
        "'",
        '\\',
        '$',
        '`',
        ';',
        '&',
        '|',
        '#',
        '*',
        ':',
        '{',
        '}',
        '(',
        ')',
        'é',
      ),
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(word, fc.nat(3), fc.constantFrom(' ', '  ', ' \\\n  ', '\t')), { minLength: 1, maxLength: 8 }),
        (parts) => {
          const words = parts.map(([w]) => w);
          const line = `/kaniko/executor${parts.map(([w, style, gap]) => gap + quoted(w, style)).join('')}`;
          const [command, ...rest] = parseShell(line);
          expect(rest).toEqual([]);
          expect(argv(command as Command)).toEqual(['/kaniko/executor', ...words]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('splits commands on newlines and operators, and keeps redirections apart', () => {
    const commands = parseShell(
      'mkdir -p /kaniko/.docker && echo "{}" > /kaniko/.docker/config.json; /kaniko/executor --cache # go\n2>&1 echo done | tee log',
    );
    expect(commands.map(argv)).toEqual([
      ['mkdir', '-p', '/kaniko/.docker'],
      ['echo', '{}'],
      ['/kaniko/executor', '--cache'],
      ['echo', 'done'],
      ['tee', 'log'],
    ]);
    expect(commands[1]?.redirects).toEqual([{ op: '>', target: '/kaniko/.docker/config.json' }]);
  });

  it('marks what only a shell could evaluate', () => {
    const [command] = parseShell(`x --a "$(cat VERSION)" --b '$HOME' --c "\${TAG:-latest}" --d "\${TAG}" --e \`id\``);
    const flags = command?.words.slice(1).filter((_, i) => i % 2 === 1) ?? [];
    expect(flags.map((w) => [w.substitution, w.parameterOperator])).toEqual([
      [true, false],
      [false, false],
      [false, true],
      [false, false],
      [true, false],
    ]);
    // A literal dollar is kept literal for the component: `$$`.
    expect(flags.map((w) => w.value)).toEqual(['$(cat VERSION)', '$$HOME', '${TAG:-latest}', '${TAG}', '`id`']);
  });
});

describe('destinations', () => {
  it.each([
    ['$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA', '$CI_REGISTRY_IMAGE', '$CI_COMMIT_SHA'],
    ['${CI_REGISTRY_IMAGE}:${CI_COMMIT_TAG}', '${CI_REGISTRY_IMAGE}', '${CI_COMMIT_TAG}'],
    ['registry.example.com:5000/team/app:1.2', 'registry.example.com:5000/team/app', '1.2'],
    ['registry.example.com:5000/team/app', 'registry.example.com:5000/team/app', undefined],
    ['${REGISTRY:-r.io}/app:v1', '${REGISTRY:-r.io}/app', 'v1'],
    ['$CI_REGISTRY_IMAGE', '$CI_REGISTRY_IMAGE', undefined],
  ])('%s', (destination, repository, tag) => {
    const split = splitDestination(destination);
    expect(split.repository).toBe(repository);
    expect(split.tag).toBe(tag);
  });
  it('keeps a digest apart', () => {
    expect(splitDestination('r.io/app@sha256:abc')).toEqual({ repository: 'r.io/app', digest: 'sha256:abc' });
  });
});

const translate = (line: string, variables: Record<string, string> = {}) =>
  translateExecutor(parseShell(line)[0]?.words ?? [], { variable: (name) => variables[name] });

describe('executor flags', () => {
  it('reads every spelling pflag accepts the same way', () => {
    const spellings = [
      '--context $CI_PROJECT_DIR/app --dockerfile $CI_PROJECT_DIR/app/Dockerfile.prod --destination $CI_REGISTRY_IMAGE:v1 --cache=true',
      '--context=$CI_PROJECT_DIR/app --dockerfile=$CI_PROJECT_DIR/app/Dockerfile.prod --destination=$CI_REGISTRY_IMAGE:v1 --cache',
      '-c "${CI_PROJECT_DIR}/app" -f "${CI_PROJECT_DIR}/app/Dockerfile.prod" -d "${CI_REGISTRY_IMAGE}:v1" --cache=true',
      '-c=app -f=app/Dockerfile.prod -d"$CI_REGISTRY_IMAGE:v1" --cache=1',
      '--context dir://app --dockerfile app/Dockerfile.prod --destination $CI_REGISTRY_IMAGE:v1 --cache=true',
    ];
    for (const flags of spellings) {
      const { inputs, reviews } = translate(`${flags}`);
      expect(reviews, flags).toEqual([]);
      expect(inputs, flags).toEqual({ context: 'app', dockerfile: 'Dockerfile.prod', image: '$CI_REGISTRY_IMAGE', tags: ['v1'] });
    }
  });

  it('maps the vocabulary: tags, build args, target, labels, platform, push, tarball, cache, TLS', () => {
    const { inputs, reviews } = translate(
      '--context . -d r.io/t/app:1.0 -d r.io/t/app:latest --build-arg A=1 --build-arg "B=two words" --build-arg C --target prod ' +
        '--label org.x=y --custom-platform linux/arm64 --no-push --tar-path $CI_PROJECT_DIR/out/app.tar --cache=true --cache-repo ' +
        'r.io/t/cache --skip-tls-verify',
    );
    expect(reviews).toEqual([]);
    expect(inputs).toEqual({
      image: 'r.io/t/app',
      tags: ['1.0', 'latest'],
      'build-args': ['A=1', 'B=two words', 'C=$C'],
      target: 'prod',
      labels: ['org.x=y'],
      platform: 'linux/arm64',
      push: false,
      tarball: 'out/app.tar',
      'cache-repo': 'r.io/t/cache',
      'tls-verify': false,
    });
  });

  it("keeps Kaniko's behaviour: no --cache means no cache, and its default cache repository", () => {
    expect(translate('--destination r.io/app:1').inputs).toMatchObject({ cache: false });
    expect(translate('--destination r.io/app:1 --cache').inputs['cache-repo']).toBe('r.io/app/cache');
    expect(translate('--destination $CI_REGISTRY_IMAGE:1 --cache').inputs['cache-repo']).toBeUndefined();
    expect(translate('--destination r.io/app').inputs['tags']).toEqual(['latest']);
  });

  it('drops what is safe to drop, each with its reason', () => {
    const { notes, reviews } = translate(
      '-d r.io/a:1 --cache --cache-ttl 24h --reproducible --cleanup --snapshot-mode=redo --use-new-run --single-snapshot ' +
        '--verbosity debug --digest-file /dev/termination-log --force',
    );
    expect(reviews).toEqual([]);
    for (const flag of [
      'cache-ttl',
      'reproducible',
      'cleanup',
      'snapshot-mode',
      'use-new-run',
      'single-snapshot',
      'verbosity',
      'digest-file',
      'force',
    ]) {
      expect(notes.some((n) => n.startsWith(`--${flag} dropped: `))).toBe(true);
    }
  });

  it.each([
    ['--registry-mirror mirror.gcr.io', 'registry-mirror'],
    ['--ignore-path /var/cache', 'ignore-path'],
    ['--oci-layout-path /out', 'oci-layout-path'],
    ['--frobnicate', 'not a Kaniko flag'],
    ['--context git://gitlab.com/g/p.git#refs/heads/main', 'remote context'],
    ['--context s3://bucket/ctx.tar.gz', 'remote context'],
    ['--context gs://bucket/ctx.tar.gz', 'remote context'],
    ['--context tar://ctx.tar.gz', 'remote context'],
    ['--context /workspace', 'outside $CI_PROJECT_DIR'],
    ['-d other.io/b:1', 'several repositories'],
    ['-d r.io/a@sha256:0123', 'digest'],
    ['--build-arg V=$(cat VERSION)', 'runs a command'],
    ['--context app --dockerfile Dockerfile', 'relative'],
  ])('%s sends the job to review (%s)', (flags, reason) => {
    const { reviews } = translate(`-d r.io/a:1 ${flags}`);
    expect(reviews.join('\n')).toContain(reason);
  });

  it('13.7: a literal dollar stays literal ($$ in the input), escaped or single-quoted; a reference stays a reference', () => {
    expect(translate('-d r.io/a:1 --build-arg "X=\\$CI_JOB_TOKEN"').inputs['build-args']).toEqual(['X=$$CI_JOB_TOKEN']);
    expect(translate("-d r.io/a:1 --label 'cost=$5' --label note=\\$HOME").inputs['labels']).toEqual(['cost=$$5', 'note=$$HOME']);
    expect(translate('-d r.io/a:1 --build-arg "X=$CI_COMMIT_SHA" --build-arg Y=${V}').inputs['build-args']).toEqual([
      'X=$CI_COMMIT_SHA',
      'Y=$V',
    ]);
    expect(translate("-d r.io/a:1 --build-arg 'A=${B}'").inputs['build-args']).toEqual(['A=$${B}']);
  });

  it('a destination that is a bare variable must be known not to carry a tag', () => {
    expect(translate('-d $IMAGE').reviews.join()).toContain('not defined in this file');
    expect(translate('-d $IMAGE', { IMAGE: 'r.io/app:1' }).reviews.join()).toContain('carries a tag');
    expect(translate('-d $IMAGE', { IMAGE: 'r.io/app' })).toMatchObject({ reviews: [], inputs: { image: '$IMAGE', tags: ['latest'] } });
  });
});

describe('config.json lines', () => {
  const read = (line: string) => readAuth(parseShell(line)[0] as Command);
  it.each([
    'echo "{\\"auths\\":{\\"${CI_REGISTRY}\\":{\\"auth\\":\\"$(printf "%s:%s" "${CI_REGISTRY_USER}" "${CI_REGISTRY_PASSWORD}" | ' +
      'base64 | tr -d \'\\n\')\\"}}}" > /kaniko/.docker/config.json',
    'echo "{\\"auths\\":{\\"$CI_REGISTRY\\":{\\"username\\":\\"$CI_REGISTRY_USER\\",\\"password\\":\\"$CI_REGISTRY_PASSWORD\\"}}}" ' +
      '> /kaniko/.docker/config.json',
    'echo "{\\"auths\\":{\\"$CI_REGISTRY\\":{\\"auth\\":\\"$(echo -n $CI_REGISTRY_USER:$CI_REGISTRY_PASSWORD | base64)\\"}}}" > ' +
      '/kaniko/.docker/config.json',
  ])('the CI registry defaults: %s', (line) => {
    expect(read(line)).toEqual({ kind: 'defaults' });
  });
  it('other credentials become inputs, DOCKER_AUTH_CONFIG is recognised, the rest is unknown', () => {
    expect(
      read(
        'echo "{\\"auths\\":{\\"https://index.docker.io/v1/\\":{\\"auth\\":\\"$(printf "%s:%s" "$DOCKERHUB_USER" "$DOCKERHUB_TOKEN" ' +
          '| base64)\\"}}}" > /kaniko/.docker/config.json',
      ),
    ).toEqual({
      kind: 'credentials',
      registry: 'docker.io',
      user: '$DOCKERHUB_USER',
      password: '$DOCKERHUB_TOKEN',
    });
    expect(read('echo "$DOCKER_AUTH_CONFIG" > /kaniko/.docker/config.json')).toEqual({ kind: 'docker-auth-config' });
    expect(read('cat secret.json > /kaniko/.docker/config.json').kind).toBe('unknown');
  });
});
