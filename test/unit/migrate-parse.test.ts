/** The readers under `cigen migrate`: shell words, heredocs, Kaniko flags, destinations, config.json lines. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KANIKO_FLAGS } from '../../src/builders/kaniko-flags.js';
import { readKanikoWrite, type AuthFinding } from '../../src/migrate/auth.js';
import { splitDestination, translateExecutor } from '../../src/migrate/kaniko.js';
import { argv, parseShell, programOf, type Command } from '../../src/migrate/shell.js';
import { escapeRegExp } from '../../src/ci/regexp.js';

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

  it('reads a subshell as its commands, marked, and a case statement without its patterns', () => {
    const read = (source: string) => parseShell(source).map((c) => [argv(c), c.subshell]);
    expect(read('(cd app && make) ; echo "(not) a subshell" $(date)')).toEqual([
      [['cd', 'app'], true],
      [['make'], true],
      [['echo', '(not) a subshell', '$(date)'], false],
    ]);
    expect(read('case "$B" in\n  main|"x )") T=1 ;;\n  (*) T=2 ;;& *) :\nesac; echo "$T"').map(([words]) => words)).toEqual([
      ['case', '$B', 'in'],
      ['T=1'],
      ['T=2'],
      [':'],
      ['esac'],
      ['echo', '$T'],
    ]);
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

/** A project without a Dockerfile at its root, unless `rootDockerfile` says otherwise. */
const translate = (line: string, variables: Record<string, string> = {}, rootDockerfile: boolean | 'unknown' = false) => {
  const translation = translateExecutor(parseShell(line)[0]?.words ?? [], {
    variable: (name) => variables[name],
    ...(rootDockerfile === 'unknown' ? {} : { projectFileExists: (path: string) => rootDockerfile && path === 'Dockerfile' }),
  });
  return {
    ...translation,
    reviews: translation.reasons.map((r) => r.text),
    blocking: translation.reasons.filter((r) => !r.compat).map((r) => r.text),
  };
};

describe('a context below the project without --dockerfile', () => {
  // Kaniko's default --dockerfile is the relative path `Dockerfile`: the working directory
  // ($CI_PROJECT_DIR) first, then the context.
  const LINE = '--context $CI_PROJECT_DIR/services/api --destination $CI_REGISTRY_IMAGE:1';
  it('the project has no root Dockerfile: the context one, migrated exactly', () => {
    const { inputs, reviews } = translate(LINE, {}, false);
    expect(reviews).toEqual([]);
    expect(inputs).toMatchObject({ context: 'services/api' });
    expect(inputs).not.toHaveProperty('dockerfile');
  });
  it.each<[boolean | 'unknown', string]>([
    [true, 'the project has a root Dockerfile, which Kaniko built'],
    ['unknown', 'whether the project has a root Dockerfile is not known (the bot)'],
  ])('%s: %s — kaniko-compat, which looks as Kaniko did', (rootDockerfile) => {
    const { reasons } = translate(LINE, {}, rootDockerfile);
    expect(reasons).toEqual([
      {
        kind: 'dockerfile-ambiguous',
        text: 'no --dockerfile: Kaniko looks for Dockerfile in the working directory first, then in the context services/api',
        compat: true,
      },
    ]);
  });
  it('a --dockerfile a variable names is not looked up in the project (it stays ambiguous)', () => {
    const line = '--context app --dockerfile $DF --destination $CI_REGISTRY_IMAGE:1';
    expect(translate(line, { DF: 'Dockerfile' }, false).reasons.map((r) => r.kind)).toEqual(['dockerfile-ambiguous']);
  });
  it.each([
    ['$DF', '$DF is a variable'],
    ['${DF}', '$DF is a variable'],
    ['$DOCKER_DIR/Dockerfile', '$DOCKER_DIR/Dockerfile starts with $DOCKER_DIR'],
  ])(
    'a --dockerfile that starts with a variable (%s) is not called relative: its value, absolute or not, is set when the job runs',
    (df, said) => {
      // As in DF=${DF:-"$BUILD_DIR/Dockerfile"}: an absolute path, which cigen cannot see.
      const { reasons } = translate(`--context $BUILD_DIR --dockerfile ${df} --destination $CI_REGISTRY_IMAGE:1`);
      expect(reasons).toEqual([
        {
          kind: 'dockerfile-ambiguous',
          text:
            `dockerfile ${said}, whose value is known only when the job runs: Kaniko reads an absolute path as it is, ` +
            'and looks for a relative one in the working directory first, then in the context $BUILD_DIR',
          compat: true,
        },
      ]);
    },
  );
  it('a relative --dockerfile with a variable further on is relative, and said to be', () => {
    const { reasons } = translate('--context app --dockerfile docker/$NAME.Dockerfile --destination $CI_REGISTRY_IMAGE:1');
    expect(reasons.map((r) => r.text)).toEqual([
      'dockerfile docker/$NAME.Dockerfile is relative: Kaniko looks for it in the working directory first, then in the context app',
    ]);
  });
  it('a relative --dockerfile is found the same way', () => {
    const line = '--context app --dockerfile docker/Dockerfile.prod --destination $CI_REGISTRY_IMAGE:1';
    expect(translate(line, {}, false)).toMatchObject({ reasons: [], inputs: { context: 'app', dockerfile: 'docker/Dockerfile.prod' } });
    expect(translate(line, {}, 'unknown').reasons.map((r) => r.kind)).toEqual(['dockerfile-ambiguous']);
  });
  it('a Dockerfile fetched from a URL is not a path of the project: review', () => {
    const { reasons, inputs } = translate('--context . --dockerfile https://example.com/Dockerfile --destination r.io/a:1');
    expect(inputs).not.toHaveProperty('dockerfile');
    expect(reasons).toEqual([
      {
        kind: 'remote-context',
        text: 'dockerfile https://example.com/Dockerfile: Kaniko fetched it from a URL; the component builds a Dockerfile of the project',
        compat: false,
      },
    ]);
  });
  it('a context of the project root is never ambiguous', () => {
    expect(translate('--context $CI_PROJECT_DIR --destination $CI_REGISTRY_IMAGE:1', {}, 'unknown').reasons).toEqual([]);
  });
});

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
      expect(inputs, flags).toEqual({
        context: 'app',
        dockerfile: 'Dockerfile.prod',
        image: '$CI_REGISTRY_IMAGE',
        tags: ['v1'],
        // Kaniko's default: every stage up to the target is built.
        'skip-unused-stages': false,
      });
    }
  });

  it('maps the vocabulary: tags, build args, target, labels, platform, push, tarball, cache, TLS', () => {
    const { inputs, reviews } = translate(
      '--context . -d r.io/t/app:1.0 -d r.io/t/app:latest --build-arg A=1 --build-arg "B=two words" --build-arg C --target $TARGET ' +
        '--label org.x=y --custom-platform linux/arm64 --no-push --tar-path $CI_PROJECT_DIR/out/app.tar --cache=true --cache-repo ' +
        'r.io/t/cache --skip-tls-verify --registry-mirror mirror.gcr.io --registry-map "quay.io=h.io/quay;index.docker.io=h.io/hub" ' +
        '--skip-tls-verify-registry lab.io:5000 --insecure-pull --push-retry 4 --registry-certificate r.io=certs/r.crt',
    );
    // Kaniko named the tarball's image by both destinations; the component by the first.
    expect(reviews).toEqual([
      expect.stringMatching(/^tar-path \$CI_PROJECT_DIR\/out\/app.tar with 2 destinations: .* first tag only \(1.0\)/),
    ]);
    expect(inputs).toEqual({
      image: 'r.io/t/app',
      tags: ['1.0', 'latest'],
      'build-args': ['A=1', 'B=two words', 'C=$C'],
      target: '$TARGET',
      labels: ['org.x=y'],
      platform: 'linux/arm64',
      push: false,
      tarball: 'out/app.tar',
      'cache-repo': 'r.io/t/cache',
      // Per host where Kaniko was per host: the hosts it pushed to, and the one it named.
      'insecure-registries': ['lab.io:5000', 'r.io'],
      'tls-verify': false,
      // Kaniko's order: the --registry-map mirrors first, the --registry-mirror ones appended after.
      'registry-mirrors': ['quay.io=h.io/quay', 'docker.io=h.io/hub', 'mirror.gcr.io'],
      'ca-certificates': 'certs/r.crt',
      'push-retries': 4,
      'skip-unused-stages': false,
    });
  });

  it("keeps Kaniko's stages: without --skip-unused-stages (or with =false) every stage up to the target is built", () => {
    expect(translate('-d r.io/app:1').inputs['skip-unused-stages']).toBe(false);
    expect(translate('-d r.io/app:1 --skip-unused-stages=false').inputs['skip-unused-stages']).toBe(false);
    expect(translate('-d r.io/app:1 --skip-unused-stages').inputs['skip-unused-stages']).toBeUndefined();
    expect(translate('-d r.io/app:1 --skip-unused-stages=$SKIP').reviews).toEqual([
      '--skip-unused-stages=$SKIP: whether it is true or false is known only when the job runs',
    ]);
  });

  it('any boolean flag given a variable is known only when the job runs: never read as false (--no-push=$DRY_RUN pushed nothing)', () => {
    for (const flag of ['no-push', 'cache', 'skip-tls-verify', 'insecure-pull', 'no-push-cache']) {
      const translated = translate(`-d r.io/app:1 --cache --${flag}=$X`);
      expect(translated.reviews).toContain(`--${flag}=$X: whether it is true or false is known only when the job runs`);
    }
    // No note that Kaniko ran without a cache: whether it did is not known.
    expect(
      translate('-d r.io/app:1 --cache=$KANIKO_CACHE')
        .notes.map((n) => n.text)
        .join('\n'),
    ).not.toContain('without --cache');
  });

  it("a boolean flag's value is read as Kaniko's flag parser reads it (Go's ParseBool): =yes fails there, =True does not", () => {
    expect(translate('-d r.io/app:1 --cache=yes').blocking).toEqual([
      "--cache=yes: Kaniko refuses the value (Go's ParseBool takes 1, t, T, true, True, TRUE and 0, f, F, false, False, FALSE), " +
        'so the job fails as written',
    ]);
    expect(translate('-d r.io/app:1 --cache=True').inputs).not.toHaveProperty('cache');
    expect(translate('-d r.io/app:1 --cache=F').inputs).toMatchObject({ cache: false });
  });

  it("keeps Kaniko's behaviour: no --cache means no cache, and its default cache repository", () => {
    expect(translate('--destination r.io/app:1').inputs).toMatchObject({ cache: false });
    expect(translate('--destination r.io/app:1 --cache').inputs['cache-repo']).toBe('r.io/app/cache');
    expect(translate('--destination $CI_REGISTRY_IMAGE:1 --cache').inputs['cache-repo']).toBeUndefined();
    expect(translate('--destination r.io/app').inputs['tags']).toEqual(['latest']);
  });

  it('drops what is safe to drop, each with its reason', () => {
    const { notes, reviews } = translate(
      '-d r.io/a:1 --cache --cleanup --snapshot-mode=redo --use-new-run --verbosity debug --force --compressed-caching=false',
    );
    expect(reviews).toEqual([]);
    // The flag as Kaniko read it: --compressed-caching=false (its default is true) is shown so.
    for (const flag of ['cleanup', 'snapshot-mode', 'use-new-run', 'verbosity', 'force', 'compressed-caching=false'])
      expect(
        notes.some((n) => n.kind === 'flag-dropped' && n.text.startsWith(`--${flag} dropped: `)),
        flag,
      ).toBe(true);
  });

  it.each([
    ['--cache --cache-ttl 24h', '--cache-ttl'],
    ['--reproducible', '--reproducible'],
    // A file written then deleted is in no layer of Kaniko's one; a layer per step keeps it.
    ['--single-snapshot', '--single-snapshot'],
    ['--digest-file /dev/termination-log', '--digest-file'],
    ['--oci-layout-path /out', '--oci-layout-path'],
    ['--annotation a=b', '--annotation'],
    ['--context /workspace', 'outside $CI_PROJECT_DIR'],
    ['-d other.io/b:1', 'several repositories'],
    ['--build-arg V=$(cat VERSION)', 'runs a command'],
    ['--context app --dockerfile Dockerfile', 'relative'],
    ['$KANIKO_ARGS', 'known only when the job runs'],
    ['--credential-helpers=', "--credential-helpers: it chooses which of Kaniko's credential helpers run"],
    ['--credential-helpers env --credential-helpers gitlab', 'kaniko-compat runs those as Kaniko does'],
  ])('%s: only kaniko-compat can take it exactly (%s)', (flags, reason) => {
    // A project whose files are not known: a relative Dockerfile may be in the working directory.
    const { reasons } = translate(`-d r.io/a:1 ${flags}`, {}, 'unknown');
    expect(reasons.map((r) => r.text).join('\n')).toContain(reason);
    expect(reasons.every((r) => r.compat)).toBe(true);
  });

  it.each([
    ['--ignore-path /var/cache', 'ignore-path'],
    ['--frobnicate', 'not a flag of the Kaniko executor'],
    ['--context git://gitlab.com/g/p.git#refs/heads/main', 'remote context'],
    ['--context s3://bucket/ctx.tar.gz', 'remote context'],
    ['--context gs://bucket/ctx.tar.gz', 'remote context'],
    ['--context tar://ctx.tar.gz', 'tarball context'],
    ['-d r.io/a@sha256:0123', 'digest'],
    ['--registry-client-cert r.io=/c,/k', 'registry-client-cert'],
    ['--credential-helpers ecr', "Kaniko's built-in credential helpers (ecr, google, acr)"],
    ['--credential-helpers env --credential-helpers $HELPER', "Kaniko's built-in credential helpers (ecr, google, acr)"],
  ])('%s sends the job to a person (%s)', (flags, reason) => {
    const { blocking } = translate(`-d r.io/a:1 ${flags}`);
    expect(blocking.join('\n')).toContain(reason);
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

  it('--context-sub-path counts for dir:// contexts only, as in Kaniko', () => {
    expect(translate('-d r.io/a:1 --context dir://$CI_PROJECT_DIR --context-sub-path app').inputs['context']).toBe('app');
    expect(translate('-d r.io/a:1 --context $CI_PROJECT_DIR --context-sub-path app').inputs['context']).toBeUndefined();
  });
});

describe('several --destination and --custom-platform (issue 17)', () => {
  it('destinations on one repository become image and tags: in order, each once, latest where no tag is written', () => {
    expect(translate('-c . -d r.io/app:1 -d r.io/app:2 -d r.io/app:1')).toMatchObject({
      reasons: [],
      inputs: { image: 'r.io/app', tags: ['1', '2'] },
    });
    expect(translate('-c . -d r.io/app -d r.io/app:1').inputs).toMatchObject({ image: 'r.io/app', tags: ['latest', '1'] });
    // ${VAR} and $VAR name the same repository; a registry port is not a tag.
    expect(translate('-c . -d $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA -d ${CI_REGISTRY_IMAGE}:latest')).toMatchObject({
      reasons: [],
      inputs: { image: '$CI_REGISTRY_IMAGE', tags: ['$CI_COMMIT_SHA', 'latest'] },
    });
    expect(translate('-c . -d r.io:5000/team/app:1 --destination=r.io:5000/team/app:2').inputs).toMatchObject({
      image: 'r.io:5000/team/app',
      tags: ['1', '2'],
    });
    expect(translate('-c . -d $IMAGE:1 -d $IMAGE:2', { IMAGE: 'r.io/x' }).inputs).toMatchObject({ image: '$IMAGE', tags: ['1', '2'] });
  });

  it('destinations on several repositories: one image input cannot hold them, so kaniko-compat pushes each as written', () => {
    for (const line of ['-c . -d r.io/app:1 -d docker.io/acme/app:1', '-c . -d r.io/app:1 -d r.io/app/debug:1']) {
      const { reasons } = translate(line);
      expect(
        reasons.map((r) => [r.kind, r.compat]),
        line,
      ).toEqual([['several-repositories', true]]);
      expect(reasons[0]?.text).toMatch(/^destinations on several repositories \(.+, .+\): the component pushes one repository$/);
    }
    // Variables that may carry a tag hide their repositories: said as that, not as several repositories.
    expect(translate('-c . -d $IMAGE_TAG -d $IMAGE_LATEST').reasons.map((r) => r.kind)).toEqual([
      'run-time-destination',
      'run-time-destination',
    ]);
    // A digest is not a tag the component can push: a person decides.
    expect(translate('-c . -d r.io/app@sha256:abc').blocking).toEqual([
      'destination r.io/app@sha256:abc names a digest; images are pushed by tag',
    ]);
  });

  it("Docker Hub's spellings of one repository are one repository, as Kaniko and Buildah read them: one image, both tags", () => {
    for (const [line, image] of [
      ['-c . -d index.docker.io/acme/app:1 -d docker.io/acme/app:2', 'index.docker.io/acme/app'],
      ['-c . -d docker.io/acme/app:1 -d acme/app:2', 'docker.io/acme/app'],
      ['-c . -d alpine:1 -d docker.io/library/alpine:2 -d index.docker.io/alpine:2', 'alpine'],
    ] as const) {
      const { reasons, inputs } = translate(line);
      expect(reasons, line).toEqual([]);
      expect(inputs, line).toMatchObject({ image, tags: ['1', '2'] });
    }
    // Not one repository: another registry, a Hub name under another namespace, a variable that may hold a registry.
    for (const line of [
      '-c . -d registry.example.com/acme/app:1 -d acme/app:2',
      '-c . -d app:1 -d acme/app:2',
      '-c . -d $REG/app:1 -d app:2',
    ])
      expect(
        translate(line).reasons.map((r) => r.kind),
        line,
      ).toEqual(['several-repositories']);
  });

  it('--custom-platform (either spelling, = or space, a variable) is the platform input: one image, as Kaniko built', () => {
    for (const [flags, platform] of [
      ['--custom-platform linux/arm64', 'linux/arm64'],
      ['--custom-platform=linux/arm/v7', 'linux/arm/v7'],
      ['--customPlatform linux/amd64', 'linux/amd64'],
      ['--custom-platform $PLATFORM', '$PLATFORM'],
      // pflag keeps the last value of a flag given twice, as Kaniko read it.
      ['--custom-platform linux/amd64 --custom-platform linux/arm64', 'linux/arm64'],
    ]) {
      const { inputs, reasons } = translate(`-c . -d r.io/app:1 ${flags}`);
      expect(reasons, flags).toEqual([]);
      expect(inputs['platform'], flags).toBe(platform);
      expect(inputs['platforms'], flags).toBeUndefined();
    }
  });

  it('a --custom-platform list is not what Kaniko could build: a person decides whether the job should build an index', () => {
    const { inputs, blocking } = translate('-c . -d r.io/app:1 --custom-platform linux/amd64,linux/arm64');
    expect(inputs['platform']).toBeUndefined();
    expect(inputs['platforms']).toBeUndefined();
    expect(blocking).toEqual([
      '--custom-platform linux/amd64,linux/arm64: Kaniko builds one image for one platform and cannot build for a list; ' +
        'the platforms input builds one image per platform and pushes an index under the tags: decide whether this job should',
    ]);
  });
});

/**
 * The static side of every row of Kaniko's flag table (src/builders/kaniko-flags.ts), beside the
 * command line kaniko-compat runs (test/system/kaniko-compat.test.ts): a `map` row sets the inputs
 * written here; a `drop` row is dropped with its reason; a `compat` row sends the job to
 * kaniko-compat, a `review` row to a person, each with the table's words. The rows come from the
 * table, so a row added without a contract fails.
 */
describe("Kaniko's flag table, row by row, as cigen migrate reads it", () => {
  const BASE = '--context . --destination r.io/app:1';
  const base = translate(BASE);
  /** What follows BASE for each `map` row, and the inputs that change (undefined: no longer set). */
  const MAPPED: Record<string, { args: string; inputs: Record<string, unknown> }> = {
    context: { args: '--context $CI_PROJECT_DIR/sub', inputs: { context: 'sub' } },
    'context-sub-path': { args: '--context dir://. --context-sub-path sub', inputs: { context: 'sub' } },
    dockerfile: { args: '--dockerfile docker/Containerfile', inputs: { dockerfile: 'docker/Containerfile' } },
    destination: { args: '--destination r.io/app:2', inputs: { tags: ['1', '2'] } },
    'build-arg': { args: '--build-arg A=1', inputs: { 'build-args': ['A=1'] } },
    target: { args: '--target test', inputs: { target: 'test' } },
    label: { args: '--label a=b', inputs: { labels: ['a=b'] } },
    'custom-platform': { args: '--custom-platform linux/arm64', inputs: { platform: 'linux/arm64' } },
    customPlatform: { args: '--customPlatform linux/arm64', inputs: { platform: 'linux/arm64' } },
    cache: { args: '--cache=true', inputs: { cache: undefined, 'cache-repo': 'r.io/app/cache' } },
    'cache-repo': { args: '--cache --cache-repo r.io/cache', inputs: { cache: undefined, 'cache-repo': 'r.io/cache' } },
    'no-push': { args: '--no-push', inputs: { push: false } },
    'no-push-cache': { args: '--no-push-cache', inputs: {} },
    'tar-path': { args: '--tar-path out/i.tar', inputs: { tarball: 'out/i.tar' } },
    tarPath: { args: '--tarPath out/i.tar', inputs: { tarball: 'out/i.tar' } },
    'skip-tls-verify': { args: '--skip-tls-verify', inputs: { 'insecure-registries': ['r.io'] } },
    insecure: { args: '--insecure', inputs: { 'insecure-registries': ['r.io'] } },
    'skip-tls-verify-pull': { args: '--skip-tls-verify-pull', inputs: { 'tls-verify': false } },
    'insecure-pull': { args: '--insecure-pull', inputs: { 'tls-verify': false } },
    'insecure-registry': { args: '--insecure-registry lab.io', inputs: { 'insecure-registries': ['lab.io'] } },
    'skip-tls-verify-registry': { args: '--skip-tls-verify-registry lab.io', inputs: { 'insecure-registries': ['lab.io'] } },
    'registry-mirror': { args: '--registry-mirror mirror.gcr.io', inputs: { 'registry-mirrors': ['mirror.gcr.io'] } },
    'registry-map': { args: '--registry-map quay.io=h.io/quay', inputs: { 'registry-mirrors': ['quay.io=h.io/quay'] } },
    'registry-certificate': { args: '--registry-certificate r.io=certs/r.crt', inputs: { 'ca-certificates': 'certs/r.crt' } },
    'skip-unused-stages': { args: '--skip-unused-stages', inputs: { 'skip-unused-stages': undefined } },
    'push-retry': { args: '--push-retry 3', inputs: { 'push-retries': 3 } },
  };
  const rows = Object.entries(KANIKO_FLAGS);

  it('has a contract for every mapped row', () => {
    expect(base.reasons).toEqual([]);
    expect(Object.keys(MAPPED).sort()).toEqual(
      rows
        .filter(([, flag]) => 'map' in flag.migrate)
        .map(([name]) => name)
        .sort(),
    );
  });

  it.each(rows)('%s', (name, flag) => {
    const rule = flag.migrate;
    const mapped = MAPPED[name];
    if (mapped) {
      const { inputs, reasons } = translate(`${BASE} ${mapped.args}`);
      expect(reasons).toEqual([]);
      const expected: Record<string, unknown> = { ...base.inputs, ...mapped.inputs };
      for (const key of Object.keys(expected)) if (expected[key] === undefined) delete expected[key];
      expect(inputs).toEqual(expected);
      return;
    }
    const args = flag.kind === 'bool' ? `--${name}` : `--${name} x`;
    // A cache setting matters only with the cache on.
    const line = flag.withCache ? `${BASE} --cache` : BASE;
    const { notes, reasons } = translate(`${line} ${args}`);
    if ('drop' in rule) {
      expect(reasons).toEqual([]);
      // --image-download-retry has a kind of its own; the words are the table's.
      const kind = name === 'image-download-retry' ? 'image-download-retry' : 'flag-dropped';
      expect(notes.filter((n) => n.text.startsWith(`--${name} `))).toEqual([{ kind, text: `--${name} dropped: ${rule.drop}` }]);
    } else if ('compat' in rule) {
      expect(reasons).toEqual([{ kind: 'flag-compat', text: `--${name}: ${rule.compat}`, compat: true }]);
    } else if ('review' in rule) {
      expect(reasons).toEqual([{ kind: 'flag-review', text: rule.review, compat: false }]);
    } else throw new Error(`${name}: a mapped row without a contract`);
  });

  // A bool flag given =false asks the opposite of the flag; where that changes the answer, the
  // table says so, and the report quotes the flag as written.
  it.each(rows.filter(([, flag]) => flag.migrateWhenFalse && !flag.alias))('%s=false', (name, flag) => {
    const rule = flag.migrateWhenFalse;
    const line = flag.withCache ? `${BASE} --cache` : BASE;
    const { notes, reasons } = translate(`${line} --${name}=false`);
    if (rule && 'drop' in rule) {
      expect(reasons).toEqual([]);
      expect(notes.filter((n) => n.text.startsWith(`--${name}=`))).toEqual([
        { kind: 'flag-dropped', text: `--${name}=false dropped: ${rule.drop}` },
      ]);
    } else if (rule && 'review' in rule) {
      expect(reasons).toEqual([{ kind: 'flag-review', text: rule.review, compat: false }]);
      expect(notes.filter((n) => n.text.startsWith(`--${name}`))).toEqual([]);
    } else throw new Error(`${name}: a migrateWhenFalse rule without a test`);
    // =true is the row's own rule, as the bare flag.
    const bare = translate(`${line} --${name}`);
    const yes = translate(`${line} --${name}=true`);
    expect(yes.reasons).toEqual(bare.reasons);
    expect(yes.notes).toEqual(bare.notes);
  });

  // Kaniko uses its layer cache only with --cache: a setting of it changed nothing without, whatever its row.
  it.each(rows.filter(([, flag]) => flag.withCache))('%s without --cache: there was no cache for it to change', (name, flag) => {
    const args = flag.kind === 'bool' ? `--${name}` : `--${name} x`;
    for (const line of [`${BASE} ${args}`, `${BASE} --cache=false ${args}`]) {
      const { notes, reasons, inputs } = translate(line);
      expect(reasons, line).toEqual([]);
      expect(inputs, line).toEqual(base.inputs);
      expect(notes.filter((n) => n.text.startsWith(`--${name} `))).toEqual([
        { kind: 'flag-dropped', text: `--${name} dropped: Kaniko ran without --cache, so there was no cache for it to change` },
      ]);
    }
  });

  it('the settings of a cache switched off with --cache=false (reported by a review of public pipelines): buildah, cache: false', () => {
    const { reasons, notes, inputs } = translate(
      `${BASE} --cache=false --cache-ttl=24h --cache-repo=$CI_REGISTRY_IMAGE/kcache --no-push-cache --cache-copy-layers`,
    );
    expect(reasons).toEqual([]);
    expect(inputs).toMatchObject({ cache: false });
    expect(notes.filter((n) => n.kind === 'flag-dropped').map((n) => n.text.split(' dropped')[0])).toEqual([
      '--cache-repo',
      '--cache-ttl',
      '--cache-copy-layers',
      '--no-push-cache',
    ]);
  });

  it('--cache-run-layers without --cache changed nothing; =$VAR is known only when the job runs', () => {
    expect(translate(`${BASE} --cache-run-layers=false`)).toMatchObject({
      reasons: [],
      notes: expect.arrayContaining([
        {
          kind: 'flag-dropped',
          text: '--cache-run-layers=false dropped: Kaniko ran without --cache, so there was no cache for it to change',
        },
      ]),
    });
    expect(translate(`${BASE} --cache --cache-run-layers=$RUN_CACHE`).reasons).toEqual([
      {
        kind: 'run-time-argument',
        text: '--cache-run-layers=$RUN_CACHE: whether it is true or false is known only when the job runs',
        compat: true,
      },
    ]);
  });

  // A bool flag given Kaniko's own default (root.go: false for all but a few) asks nothing: no
  // rule of its row applies (`--single-snapshot=false` builds a layer per step, as the component does).
  const defaultFalse = rows.filter(([, flag]) => flag.kind === 'bool' && !flag.alias && flag.default !== true && !('map' in flag.migrate));
  it.each(defaultFalse)("%s=false is Kaniko's default: dropped, saying so, whatever the row asks of the flag", (name) => {
    const { notes, reasons } = translate(`${BASE} --cache --${name}=false`);
    expect(reasons).toEqual([]);
    expect(notes.filter((n) => n.text.startsWith(`--${name}`))).toEqual([
      { kind: 'flag-dropped', text: `--${name}=false dropped: false is Kaniko's default, so the flag asks nothing` },
    ]);
  });

  it('=false on the flags whose rows send a job elsewhere (reported by a review of public pipelines)', () => {
    expect(defaultFalse.map(([name]) => name)).toEqual(
      expect.arrayContaining(['single-snapshot', 'reproducible', 'skip-default-registry-fallback', 'push-ignore-immutable-tag-errors']),
    );
    const { reasons, notes } = translate(
      `${BASE} --cache=true --single-snapshot=false --reproducible=0 --push-ignore-immutable-tag-errors=F --skip-default-registry-fallback=false`,
    );
    expect(reasons).toEqual([]);
    expect(notes.filter((n) => n.kind === 'flag-dropped').map((n) => n.text.split(' dropped')[0])).toEqual([
      '--skip-default-registry-fallback=false',
      '--reproducible=false',
      '--single-snapshot=false',
      '--push-ignore-immutable-tag-errors=false',
    ]);
  });

  // A mapped bool flag given =false is the flag left out (Kaniko's default); --skip-unused-stages,
  // whose default is the executor's, has tests of its own.
  const mappedBools = rows.filter(
    ([name, flag]) => flag.kind === 'bool' && !flag.alias && 'map' in flag.migrate && name !== 'skip-unused-stages',
  );
  it.each(mappedBools)('%s=false is the flag left out', (name) => {
    for (const line of name === 'cache' ? [BASE] : [BASE, `${BASE} --cache`]) {
      const without = translate(line);
      const given = translate(`${line} --${name}=false`);
      expect(given.inputs, line).toEqual(without.inputs);
      expect(given.reasons, line).toEqual(without.reasons);
    }
  });

  it('--flag false (a space): Kaniko reads the flag as true and refuses the word as an argument, so the job fails as written', () => {
    expect(translate(`${BASE} --single-snapshot false`).blocking).toEqual([
      "--single-snapshot false: Kaniko reads a boolean flag's value only after = (--single-snapshot=false); it reads " +
        '--single-snapshot as true and refuses `false` as an argument (unknown command "false" for "executor"), so the job fails as written',
    ]);
    // A word that is no boolean is an argument of its own, as before.
    expect(translate(`${BASE} --cache extra`).blocking).toEqual(['unexpected argument to the executor: extra']);
  });

  it('the rows that answer =false apart: cache-run-layers (a review) and ignore-var-run (a different reason)', () => {
    expect(rows.filter(([, flag]) => flag.migrateWhenFalse).map(([name]) => name)).toEqual(['cache-run-layers', 'ignore-var-run']);
    expect(translate(`${BASE} --whitelist-var-run=false`).notes.map((n) => n.text)).toContainEqual(
      expect.stringMatching(/^--whitelist-var-run=false dropped: Kaniko was told to keep \/var\/run in the image/),
    );
  });
});

describe('config.json lines', () => {
  const read = (source: string): AuthFinding | undefined => {
    const commands = parseShell(source);
    return commands.map((c, i) => readKanikoWrite(c, commands[i - 1])).find((f) => f !== undefined);
  };
  const DEFAULTS = {
    kind: 'config',
    entries: [{ host: '$CI_REGISTRY', user: '$CI_REGISTRY_USER', password: '$CI_REGISTRY_PASSWORD' }],
    helpers: [],
  };
  it.each([
    'echo "{\\"auths\\":{\\"${CI_REGISTRY}\\":{\\"auth\\":\\"$(printf "%s:%s" "${CI_REGISTRY_USER}" "${CI_REGISTRY_PASSWORD}" | ' +
      'base64 | tr -d \'\\n\')\\"}}}" > /kaniko/.docker/config.json',
    'echo "{\\"auths\\":{\\"$CI_REGISTRY\\":{\\"username\\":\\"$CI_REGISTRY_USER\\",\\"password\\":\\"$CI_REGISTRY_PASSWORD\\"}}}" ' +
      '> /kaniko/.docker/config.json',
    'echo "{\\"auths\\":{\\"$CI_REGISTRY\\":{\\"auth\\":\\"$(echo -n $CI_REGISTRY_USER:$CI_REGISTRY_PASSWORD | base64)\\"}}}" > ' +
      '${DOCKER_CONFIG}/config.json',
    'cat <<EOF > /kaniko/.docker/config.json\n{"auths": {"$CI_REGISTRY": {"username": "$CI_REGISTRY_USER", "password": "$CI_REGISTRY_PASSWORD"}}}\nEOF',
    'cat > "$DOCKER_CONFIG/config.json" <<-EOF\n\t{\n\t  "auths": {\n\t    "${CI_REGISTRY}": {"auth": "$(printf %s:%s $CI_REGISTRY_USER $CI_REGISTRY_PASSWORD | base64)"}\n\t  }\n\t}\n\tEOF',
    'printf \'{"auths":{"%s":{"auth":"%s"}}}\' "$CI_REGISTRY" "$(printf \'%s:%s\' "$CI_REGISTRY_USER" "$CI_REGISTRY_PASSWORD" | base64 -w0)" ' +
      '> /kaniko/.docker/config.json',
  ])('the CI registry credentials, however written: %s', (line) => {
    expect(read(line)).toEqual(DEFAULTS);
  });

  it('other credentials, a file, $DOCKER_AUTH_CONFIG, helpers, and what only the running job knows', () => {
    expect(
      read(
        'echo "{\\"auths\\":{\\"https://index.docker.io/v1/\\":{\\"auth\\":\\"$(printf "%s:%s" "$DOCKERHUB_USER" "$DOCKERHUB_TOKEN" ' +
          '| base64)\\"}}}" > /kaniko/.docker/config.json',
      ),
    ).toEqual({ kind: 'config', entries: [{ host: 'docker.io', user: '$DOCKERHUB_USER', password: '$DOCKERHUB_TOKEN' }], helpers: [] });
    expect(read('echo "$DOCKER_AUTH_CONFIG" > /kaniko/.docker/config.json')).toEqual({ kind: 'docker-auth-config' });
    expect(read('cp "$CONFIG_FILE" /kaniko/.docker/config.json')).toEqual({ kind: 'file', path: '$CONFIG_FILE' });
    expect(read('cat secret.json > /kaniko/.docker/config.json')).toEqual({ kind: 'file', path: 'secret.json' });
    expect(read('echo "$CONFIG_B64" | base64 -d > /kaniko/.docker/config.json')?.kind).toBe('run-time');
    expect(read('echo "$CONFIG_JSON" > /kaniko/.docker/config.json')).toEqual({ kind: 'run-time', what: 'the text of $CONFIG_JSON' });
    expect(read('echo "{\\"credHelpers\\":{\\"$ECR\\":\\"ecr-login\\"}}" > /kaniko/.docker/config.json')).toEqual({
      kind: 'config',
      entries: [],
      helpers: [{ host: '$ECR', helper: 'ecr-login' }],
    });
    expect(read('echo "{\\"auths\\":{\\"r.io\\":{\\"auth\\":\\"$HUB_B64\\"}}}" > /kaniko/.docker/config.json')).toMatchObject({
      entries: [{ host: 'r.io', unreadable: expect.stringContaining('already encoded') }],
    });
    // Single quotes keep the $ literal: Kaniko would read the text "$(echo ...)", not credentials.
    expect(read(`echo '{"auths":{"r.io":{"auth":"$(echo -n $U:$P | base64)"}}}' > /kaniko/.docker/config.json`)).toMatchObject({
      entries: [{ host: 'r.io', unreadable: expect.stringContaining('literal') }],
    });
  });

  describe('an auth the shell computes', () => {
    const entry = (command: string) => {
      const finding = read(
        String.raw`echo "{\"auths\":{\"r.io\":{\"auth\":\"$(` + command + String.raw`)\"}}}" > /kaniko/.docker/config.json`,
      );
      return finding?.kind === 'config' ? finding.entries : finding;
    };
    const FORMS =
      "its auth is not $(echo -n $USER:$PASSWORD | base64) or $(printf '%s:%s' $USER $PASSWORD | base64), " +
      "the forms cigen reads as a user and a password (variables quoted or braced, base64 -w0, a final tr -d '\\n' allowed)";

    it.each([
      'echo -n $U:$P | base64',
      'echo -n ${U}:${P} | base64 -w0',
      'echo -n "$U:$P" | base64 | tr -d \'\\n\'',
      'echo -n "$U":"${P}" | base64 --wrap=0',
      'printf "%s:%s" "$U" "$P" | base64 | tr -d \'\\n\'',
      'printf %s:%s $U $P | base64 -w 0',
      'printf \'%s:%s\' "${U}" "${P}" | base64',
    ])('two variables joined by a colon, printed and encoded, are its user and password: %s', (command) => {
      expect(entry(command)).toEqual([{ host: 'r.io', user: '$U', password: '$P' }]);
    });

    it.each([
      // A Harbor robot account: the single-quoted $ is part of the user's name, not a variable.
      "echo -n 'robot$proj+ci':$HARBOR_TOKEN | base64",
      'echo -n "robot\\$proj+ci:$HARBOR_TOKEN" | base64',
      'echo -n \\$U:$P | base64',
      // Literal text beside a variable, a separator other than the colon, text after the password.
      'echo -n ${PREFIX}bot:$HARBOR_TOKEN | base64',
      'echo -n $HARBOR_USER:$HARBOR_TOKEN-suffix | base64',
      'echo -n $U $P | base64',
      'echo -n $U:$P:$X | base64',
      // Other commands and flags: what they encode is not the user and password as written.
      'echo -n $U:$P | tr a-z A-Z | base64',
      'echo -n $U:$P | base64 -d',
      'echo -n $U:$P | base64 | rev',
      'echo -ne "$U:$P" | base64',
      'printf "$U:$P" | base64',
      'printf "%s:%s\\n" "$U" "$P" | base64',
      'printf %s "$U:$P" | base64',
      'echo -n ${U:-bot}:$P | base64',
      'echo -n $U:$(cat p) | base64',
      'U=x echo -n $U:$P | base64',
      'echo -n $U:$P; echo | base64',
      'echo -n $U:$P',
    ])('anything else is known only when the job runs, and says what cigen reads: %s', (command) => {
      expect(entry(command)).toEqual([{ host: 'r.io', unreadable: FORMS }]);
    });

    it('echo without -n encodes a line break after the password: said', () => {
      expect(entry('echo "$U:$P" | base64')).toEqual([
        { host: 'r.io', unreadable: 'its auth encodes the line break echo prints without -n after the password' },
      ]);
    });
  });

  it("CAs appended to Kaniko's bundle, and other writes under /kaniko", () => {
    expect(read('cat "$CI_SERVER_TLS_CA_FILE" >> /kaniko/ssl/certs/additional-ca-cert-bundle.crt')).toEqual({
      kind: 'ca',
      value: '$CI_SERVER_TLS_CA_FILE',
    });
    expect(read('echo "$COMPANY_CA" >> /kaniko/ssl/certs/ca-certificates.crt')).toEqual({ kind: 'ca', value: '$COMPANY_CA' });
    expect(read('cp certs/ca.pem /kaniko/ssl/certs/company.crt')).toEqual({ kind: 'ca', value: 'certs/ca.pem' });
    expect(read('echo "-----BEGIN CERTIFICATE-----" >> /kaniko/ssl/certs/ca-certificates.crt')).toEqual({
      kind: 'kaniko-path',
      path: '/kaniko/ssl/certs/ca-certificates.crt',
      certs: true,
    });
    expect(read('cp key.json /kaniko/gcp.json')).toEqual({ kind: 'kaniko-path', path: '/kaniko/gcp.json', certs: false });
  });
});

describe('heredocs and the executor behind other words', () => {
  it('reads a heredoc body, quoted or not, stripped of tabs with <<-, whatever the delimiter', () => {
    const word = fc.stringMatching(/^[A-Z_]{1,8}$/);
    const line = fc.stringMatching(/^[a-z {}":$]{0,20}$/);
    fc.assert(
      fc.property(word, fc.array(line, { maxLength: 5 }), fc.boolean(), fc.boolean(), (delimiter, lines, quoted, dash) => {
        const body = lines.filter((l) => l !== delimiter);
        const tab = dash ? '\t' : '';
        const source =
          `cat ${dash ? '<<-' : '<<'}${quoted ? `'${delimiter}'` : delimiter} > out.txt\n` +
          `${body.map((l) => `${tab}${l}\n`).join('')}${tab}${delimiter}\necho after`;
        const [cat, after] = parseShell(source);
        const heredoc = cat?.redirects.find((r) => r.op.startsWith('<<'));
        expect(heredoc?.body).toBe(body.map((l) => `${l}\n`).join(''));
        expect(heredoc?.quoted ?? false).toBe(quoted);
        expect(argv(after as Command)).toEqual(['echo', 'after']);
      }),
      { numRuns: 300 },
    );
  });

  it('finds the program after exec, assignments, env and control words, and knows a command in a block', () => {
    const commands = parseShell(
      'exec /kaniko/executor --cache\nDOCKER_CONFIG=/x /kaniko/executor\nenv -i A=1 executor\nif [ -n "$T" ]; then\n  /kaniko/executor -d a\nfi\nX=1',
    );
    // `then` on its own ends the `if` line: a command of no program.
    expect(commands.map(programOf)).toEqual([
      '/kaniko/executor',
      '/kaniko/executor',
      'executor',
      '[',
      undefined,
      '/kaniko/executor',
      'fi',
      undefined,
    ]);
    expect(commands.map((c) => c.nested)).toEqual([false, false, false, true, true, true, true, false]);
  });
});

describe("the notes on Kaniko's TLS flags say what each flag did", () => {
  const noteOf = (args: string, kind: string) =>
    translate(`/kaniko/executor --context . --destination r.io/app:1 ${args}`).notes.find((n) => n.kind === kind)?.text;

  it.each([
    ['--skip-tls-verify', 'insecure-push-hosts', '--skip-tls-verify: Kaniko skipped TLS checks for the registries it pushed to (r.io)'],
    ['--insecure', 'insecure-push-hosts', '--insecure: Kaniko used plain HTTP for the registries it pushed to (r.io)'],
    [
      '--skip-tls-verify --insecure',
      'insecure-push-hosts',
      '--skip-tls-verify and --insecure: Kaniko used plain HTTP, or HTTPS without TLS checks, for the registries it pushed to (r.io)',
    ],
    ['--skip-tls-verify-pull', 'tls-pull', '--skip-tls-verify-pull: Kaniko skipped TLS checks for pulls, from any registry'],
    ['--insecure-pull', 'tls-pull', '--insecure-pull: Kaniko used plain HTTP for pulls, from any registry'],
  ])('%s', (args, kind, start) => {
    expect(noteOf(args, kind)).toMatch(new RegExp(`^${escapeRegExp(start)}[;,]`));
  });
});
