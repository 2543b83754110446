/**
 * The shell every component shares: list decoding (JSON from text interpolation, Ruby inspect
 * from classic), GitLab-style expansion as data, quoting, and the config.json writer — under
 * bash, dash and busybox sh.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { rubyInspect, rubyJson } from '../../src/ci/interpolation/ruby.js';
import { credsStoreSaid, runnerExpand } from '../helpers/job.js';
import { SHELLS, runShell } from '../helpers/shells.js';

const PRINT_LIST = `
i=0
while [ "$i" -lt "$N" ]; do
  cigen_list "L$i" test
  eval "set -- $CIGEN_LIST"
  printf '%s\\036' "$#"
  for item do printf '%s\\037' "$item"; done
  printf '\\035'
  i=$((i + 1))
done`;

function decodeOutput(stdout: string): string[][] {
  return stdout
    .split('\x1d')
    .slice(0, -1)
    .map((entry) => {
      const [count, rest = ''] = entry.split('\x1e') as [string, string];
      const items = rest.split('\x1f').slice(0, -1);
      expect(items).toHaveLength(Number(count));
      return items;
    });
}

// Characters a list item may hold: printable text, quotes, backslashes, #{, $ references, tab,
// newline, CR; <, > and & (GitLab's to_json writes them as \u escapes); characters Ruby's inspect
// writes as \u escapes (U+00AD, and U+E0001 past U+FFFF as \u{E0001}).
const itemChar = fc.constantFrom(
  'a',
  'Z',
  '0',
  ' ',
  '"',
  "'",
  '\\',
  '#',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '$',
  '(',
  ')',
  '`',
  ';',
  '\n',
  '\t',
  '\r',
  'é',
  '漢',
  '😀',
  'V',
  '_',
  '<',
  '>',
  '&',
  '\u00ad',
  '\u{e0001}',
);
const item = fc.array(itemChar, { maxLength: 12 }).map((chars) => chars.join(''));
const lists = fc.array(fc.array(item, { maxLength: 5 }), { minLength: 1, maxLength: 8 });

/** JSON written ASCII-only (Python's json.dumps, Oj's :ascii mode): every other character as \uXXXX,
 *  past U+FFFF as a surrogate pair. GitLab does not write this; a variable set by other means may. */
const asciiJson = (value: unknown) =>
  JSON.stringify(value).replace(/[\u007f-\uffff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);

describe.each(SHELLS)('shell library under $name', (shell) => {
  it('decodes any list written as JSON (as GitLab writes it, or ASCII-only) or as Ruby inspect, item for item, expanding $VAR as GitLab does', () => {
    const env = { VAR: 'value', OTHER: 'x y' };
    fc.assert(
      fc.property(lists, (input) => {
        for (const encode of [rubyJson, asciiJson, rubyInspect]) {
          const vars: Record<string, string> = { N: String(input.length), ...env };
          input.forEach((list, i) => (vars[`L${i}`] = `list:${encode(list)}`));
          const result = runShell(shell, PRINT_LIST, vars);
          expect(result.stderr).toBe('');
          expect(decodeOutput(result.stdout)).toEqual(input.map((list) => list.map((value) => runnerExpand(value, env))));
        }
      }),
      { numRuns: 25 },
    );
  });

  it('decodes a label of 32,000 double quotes, and items of many dollars and commas, in time linear in their length', () => {
    // The decoder used to strip the front of the remaining text once per quote: 8,000 quotes took
    // over a minute. The tier's timeout is the only clock here; npm run bench measures the growth.
    const items = ['"'.repeat(32_000), '$$'.repeat(5_000), 'a,'.repeat(10_000)];
    const result = runShell(shell, PRINT_LIST, { N: '1', L0: `list:${JSON.stringify(items)}` });
    expect(result.stderr).toBe('');
    expect(decodeOutput(result.stdout)).toEqual([items.map((item) => runnerExpand(item, {}))]);
  });

  it.each([
    ['NEL', '\u0085'],
    ['LS', '\u2028'],
    ['PS', '\u2029'],
  ])('refuses an element holding %s, a line break in YAML 1.1 (GitLab reads it so under text interpolation)', (_name, char) => {
    const result = runShell(shell, PRINT_LIST, { N: '1', L0: `list:["ok", "a${char}after_script: [id]"]` });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('element 2 holds a line break that YAML 1.1 (GitLab) reads as one');
  });

  it('decodes a list of objects (JSON, Ruby 3.3 and 3.4 inspect) when asked, values expanded as data', () => {
    const items = [
      { host: 'docker.io', user: '$U', password: 'p "w" $(id)' },
      { host: 'harbor.example.com:5000', user: 'robot$ci', password: '' },
    ];
    // GitLab symbolizes the keys of what it reads: Ruby 3.3 inspects them `:host=>`, Ruby 3.4 `host: `.
    const ruby33 = rubyInspect(items);
    expect(ruby33).toContain('{:host=>"docker.io", :user=>"$U"');
    const ruby34 = ruby33.replace(/:(\w+)=>/g, '$1: ');
    const stringKeys = ruby33.replace(/:(\w+)=>/g, '"$1"=>');
    const stringKeys34 = ruby33.replace(/:(\w+)=>/g, '"$1" => ');
    for (const text of [JSON.stringify(items), ruby33, ruby34, stringKeys, stringKeys34]) {
      const script =
        'cigen_list L registries objects\neval "set -- $CIGEN_LIST"\nn=0\nfor w do n=$((n + 1))\n' +
        'cigen_object "$w" registries "$n" host user password\n' +
        'printf "%s|%s|%s\\036" "$cigen_object_host" "$cigen_object_user" "$cigen_object_password"\ndone';
      const result = runShell(shell, script, { L: `list:${text}`, U: 'me' });
      expect(result.stderr, text).toBe('');
      expect(result.stdout.split('\x1e').slice(0, -1)).toEqual(['docker.io|me|p "w" $(id)', 'harbor.example.com:5000|robot|']);
    }
  });

  it.each([
    ['list:[{"host": "a"}]', '', 'element 1 is not a string'],
    ['list:[{"host": 1}]', 'objects', 'element 1 is not an object of strings'],
    ['list:[{"host": "a"', 'objects', 'must be a list'],
    ['list:[{"host" "a"}]', 'objects', 'element 1 is not an object of strings'],
    ['list:[{"host": "a", "token": "b"}]', 'objects', "element 1 has a key 'token'; it takes: host user password"],
    // A key of several known words matched the list of keys, then ran as a command (exit 127).
    ['list:[{"host": "a", "user password": "b"}]', 'objects', "element 1 has a key 'user password'; it takes: host user password"],
    ['list:[{"host": "a", "": "b"}]', 'objects', "element 1 has a key ''; it takes: host user password"],
    ['list:[{:host=>"a", :"user-name"=>"b"}]', 'objects', "element 1 has a key 'user-name'; it takes: host user password"],
    ['list:[{:host "a"}]', 'objects', 'element 1 is not an object of strings'],
    ['list:[{host-name: "a"}]', 'objects', 'element 1 is not an object of strings'],
    ['list:[{1host: "a"}]', 'objects', 'element 1 is not an object of strings'],
    ['list:[{:host=>"a"}]', '', 'element 1 is not a string'],
  ])('refuses %s (%s)', (value, objects, message) => {
    const script =
      `cigen_list L registries ${objects}\neval "set -- $CIGEN_LIST"\n` +
      'for w do cigen_object "$w" registries 1 host user password; done';
    const result = runShell(shell, script, { L: value });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(message);
  });

  it('decodes the \\u escapes GitLab writes under text interpolation: <, >, & as everyday text', () => {
    const result = runShell(shell, PRINT_LIST, {
      N: '1',
      L0: 'list:["org.opencontainers.image.authors=Jane Doe \\u003cjane@example.com\\u003e", "URL=https://example.com/?a=1\\u0026b=2", "\\u00e9\\u6F22\\ud83d\\ude00\\u{1F600}"]',
    });
    expect(result.stderr).toBe('');
    expect(decodeOutput(result.stdout)).toEqual([
      ['org.opencontainers.image.authors=Jane Doe <jane@example.com>', 'URL=https://example.com/?a=1&b=2', 'é漢😀😀'],
    ]);
  });

  it('reads an empty value as an empty list and bare numbers as items', () => {
    const result = runShell(shell, PRINT_LIST, { N: '3', L0: '', L1: 'list:[]', L2: 'list:[1, 2.5,true]' });
    expect(decodeOutput(result.stdout)).toEqual([[], [], ['1', '2.5', 'true']]);
  });

  it.each([
    ['list:["a\\u0001"]', 'element 1 holds a control character'],
    ['list:["a\\u001E"]', 'element 1 holds a control character'],
    ['list:["a\\e"]', 'element 1 holds a control character'],
    // Decoded first, then refused as the character it is.
    ['list:["a\\u2028"]', 'element 1 holds a line break that YAML 1.1 (GitLab) reads as one'],
    ['list:["a\\u{85}"]', 'element 1 holds a line break that YAML 1.1 (GitLab) reads as one'],
    ['list:["a\\q"]', 'element 1 holds an escape the job does not decode: \\q'],
    ['list:["a\\u12"]', 'element 1 holds a \\u escape that is neither \\uXXXX nor \\u{X...} (hexadecimal digits)'],
    ['list:["a\\u{12"]', 'element 1 holds a \\u escape that is neither \\uXXXX nor \\u{X...} (hexadecimal digits)'],
    ['list:["a\\u{110000}"]', 'element 1 holds a \\u escape past U+10FFFF, the last Unicode character'],
    ['list:["a\\ud83d"]', 'element 1 holds a UTF-16 surrogate (\\uD800-\\uDFFF) that is not half of a pair'],
    ['list:["a\\ud83d\\n"]', 'element 1 holds a UTF-16 surrogate (\\uD800-\\uDFFF) that is not half of a pair'],
    ['list:["a\\ude00"]', 'element 1 holds a UTF-16 surrogate (\\uD800-\\uDFFF) that is not half of a pair'],
    ['list:["a",', 'must be a list'],
    ['list:["a" "b"]', "expected ',' or ']' after element 1"],
    ['list:["a",,"b"]', 'element 2 is empty'],
    ['list:[null]', 'element 1 is empty'],
    ['list:[["x"]]', 'element 1 is not a string'],
    ['list:[{"a"=>1}]', 'element 1 is not a string'],
    ['not a list', 'must be a list'],
  ])('refuses %s', (value, message) => {
    const result = runShell(shell, PRINT_LIST, { N: '1', L0: value });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
  });

  it('expands like the runner: one level, unknown names empty, $$ a dollar, the rest literal', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('$', '{', '}', 'VAR', 'NOPE', '$$', '(', 'id', ')', '`', '-', ' ', 'a'), { maxLength: 15 }),
        (parts) => {
          const text = parts.join('');
          const env = { VAR: '$OTHER', OTHER: 'no' };
          const result = runShell(shell, 'cigen_expand "$T"; printf "%s" "$CIGEN_REPLY"', { T: text, ...env });
          expect(result.stdout).toBe(runnerExpand(text, env));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('quotes any word so that eval gives it back unchanged', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 6 }), (words) => {
        const vars = Object.fromEntries(words.map((w, i) => [`W${i}`, w]));
        const script =
          `CIGEN_ARGV=''\n${words.map((_, i) => `cigen_arg "$W${i}"`).join('\n')}\neval "set -- $CIGEN_ARGV"\n` +
          `for w do printf '%s\\037' "$w"; done`;
        const result = runShell(shell, script, vars);
        expect(result.stdout.split('\x1f').slice(0, -1)).toEqual(words);
      }),
      { numRuns: 25 },
    );
  });

  describe('cigen_run_retry', () => {
    // A step that fails FAILS times, retrying OWN times by itself each time (as `buildah push` does,
    // whatever its --retry says), its standard output and error its own; sleep made instant.
    const STEP = `
step() {
  n=$((n + 1))
  echo "out $n"
  i=0
  while [ "$i" -lt "$OWN" ]; do i=$((i + 1)); echo "level=warning msg=\\"Failed, retrying in 2s ... ($i/3). Error: refused\\"" >&2; done
  echo "err $n" >&2
  CIGEN_STEP_SAID=$SAID
  [ "$n" -gt "$FAILS" ]
}
sleep() { :; }
n=0 CIGEN_ARGV=step
cigen_run_retry "$N" 'the step'
echo "done after $n"`;
    const retry = (vars: Record<string, string>) => {
      const result = runShell(shell, STEP, { SAID: '', ...vars });
      return { ...result, runs: result.stdout.split('\n').filter((line) => line.startsWith('out ')).length };
    };
    const refused = 'If the log above says 401, unauthorized or denied, a registry refused the job, which had no credentials from';

    it("runs a failed step again N times when it does not retry by itself; what it prints reaches the job's output", () => {
      const r = retry({ N: '2', OWN: '0', FAILS: '2' });
      expect(r.status).toBe(0);
      expect(r.runs).toBe(3);
      expect(r.stdout).toContain('out 1\nout 2\nout 3\ndone after 3\n');
      expect(r.stderr).toContain('err 1\ncigen: the step failed (exit 1); trying again (at most 1 more after this)\nerr 2\n');
      expect(r.stderr).toContain('cigen: the step failed (exit 1); trying again (at most 0 more after this)\nerr 3\n');
    });

    it('counts the retries the step made itself among the N: never runs it again once they are spent', () => {
      const spent = retry({ N: '3', OWN: '3', FAILS: '9' });
      expect(spent.status).toBe(1);
      expect(spent.runs).toBe(1);
      expect(spent.stderr).toContain(`cigen: error: the step failed (exit 1) after retrying 3 times itself. ${refused}`);
      expect(spent.stderr).not.toContain('trying again');
      const left = retry({ N: '5', OWN: '3', FAILS: '9' });
      expect(left.status).toBe(1);
      expect(left.runs).toBe(2);
      expect(left.stderr).toContain(
        'cigen: the step failed (exit 1) after retrying 3 times itself; trying again (at most 1 more after this)\n',
      );
      expect(left.stderr).toContain(`cigen: error: the step failed (exit 1) after retrying 3 times itself. ${refused}`);
      const recovered = retry({ N: '5', OWN: '3', FAILS: '1' });
      expect(recovered.status).toBe(0);
      expect(recovered.runs).toBe(2);
    });

    it('where no FIFO can be made (a TMPDIR on a file system without them) runs and retries the step all the same', () => {
      const r = runShell(shell, `mkfifo() { echo "mkfifo: $1: Operation not supported" >&2; return 1; }\n${STEP}`, {
        SAID: '',
        N: '2',
        OWN: '0',
        FAILS: '1',
      });
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('out 1\nout 2\ndone after 2\n');
      expect(r.stderr).toContain('err 1\ncigen: the step failed (exit 1); trying again (at most 1 more after this)\n');
      expect(r.stderr).toContain('err 2\n');
    });

    it("runs the step in the job's shell: what it says of its failure is the job's", () => {
      const r = retry({ N: '0', OWN: '0', FAILS: '9', SAID: 'ended without writing its digest' });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('cigen: error: the step ended without writing its digest\n');
    });
  });

  describe('config.json writer', () => {
    const dirs: string[] = [];
    afterAll(() => {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });
    const write = (env: Record<string, string>, mode = '') => {
      const dir = mkdtempSync(join(tmpdir(), 'cigen-auth-'));
      dirs.push(dir);
      const file = join(dir, 'docker/config.json');
      const result = runShell(shell, `cigen_registry=$R cigen_registry_user=$U cigen_registry_password=$P\ncigen_write_auth "$F" ${mode}`, {
        F: file,
        ...env,
      });
      return { result, file };
    };
    const auths = (file: string) => {
      const config = JSON.parse(readFileSync(file, 'utf8')) as { auths: Record<string, { auth: string }> } & Record<string, unknown>;
      return {
        config,
        decoded: Object.fromEntries(Object.entries(config.auths).map(([k, v]) => [k, Buffer.from(v.auth, 'base64').toString()])),
      };
    };

    it('writes base64 auth entries, mode 600, and never prints the password', () => {
      const password = 'p@ss "w0rd" $(id) \\ end';
      const { result, file } = write({ R: 'registry.example.com', U: 'ci-user', P: password });
      expect(result.status).toBe(0);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(auths(file).decoded).toEqual({ 'registry.example.com': `ci-user:${password}` });
      expect(result.stdout + result.stderr).not.toContain('w0rd');
    });

    it('merges DOCKER_AUTH_CONFIG and the dependency proxy; an explicit entry wins for the same host', () => {
      const dockerAuthConfig = JSON.stringify(
        {
          auths: {
            'registry.example.com': { auth: Buffer.from('other:secret').toString('base64') },
            'https://index.docker.io/v1/': { auth: Buffer.from('hub:token').toString('base64'), email: 'a@b' },
          },
          credHelpers: { '123.dkr.ecr.eu-west-1.amazonaws.com': 'ecr-login' },
          odd: [1, { s: ']}"\\' }],
        },
        null,
        2,
      );
      const { result, file } = write({
        R: 'registry.example.com',
        U: 'ci-user',
        P: 'pw',
        DOCKER_AUTH_CONFIG: dockerAuthConfig,
        CI_DEPENDENCY_PROXY_SERVER: 'gitlab.example.com:443',
        CI_DEPENDENCY_PROXY_USER: 'gitlab-ci-token',
        CI_DEPENDENCY_PROXY_PASSWORD: 'proxy',
      });
      expect(result.status).toBe(0);
      const { config, decoded } = auths(file);
      expect(decoded).toEqual({
        'registry.example.com': 'ci-user:pw',
        'gitlab.example.com:443': 'gitlab-ci-token:proxy',
        'https://index.docker.io/v1/': 'hub:token',
      });
      expect(config['credHelpers']).toEqual({ '123.dkr.ecr.eu-west-1.amazonaws.com': 'ecr-login' });
      expect(config['odd']).toEqual([1, { s: ']}"\\' }]);
    });

    it('a failed step names the credentials written for each host: not those of an entry left out for a host that had one', () => {
      // registries (or registry-login) triples, the first for the registry input's host; the job
      // refuses that for the inputs (credentials.sh), the writer still keeps the first entry.
      const triples = "cigen_credentials=\"'registry.example.com' 'deploy' 'deploy-pw' 'quay.io' 'q' 'qpw'\"\n";
      for (const [mode, registry] of [
        ['', 'ci-user:pw'],
        ['skip-registry', undefined],
      ] as const) {
        const dir = mkdtempSync(join(tmpdir(), 'cigen-auth-'));
        dirs.push(dir);
        const file = join(dir, 'docker/config.json');
        const result = runShell(
          shell,
          `cigen_registry=registry.example.com cigen_registry_user=ci-user cigen_registry_password=pw\n${triples}` +
            `cigen_write_auth "$F" ${mode}\nprintf "said=%s\\n" "$(cigen_credentials_said)"`,
          { F: file, HOME: dir },
        );
        expect(result.stderr).toBe('');
        expect(auths(file).decoded).toEqual({ ...(registry ? { 'registry.example.com': registry } : {}), 'quay.io': 'q:qpw' });
        expect(result.stdout).toContain(
          'said=credentials from registry-user and registry-password for registry.example.com, ' +
            'from registries (or registry-login) for quay.io, for no other host\n',
        );
      }
    });

    it('writes Docker Hub under the key docker expects', () => {
      const { file } = write({ R: 'docker.io', U: 'me', P: 'pw' });
      expect(auths(file).decoded).toEqual({ 'https://index.docker.io/v1/': 'me:pw' });
    });

    it('leaves the registry input to docker login when asked, and writes nothing when there is nothing', () => {
      const skipped = write({ R: 'registry.example.com', U: 'ci-user', P: 'pw' }, 'skip-registry');
      expect(skipped.result.status).toBe(0);
      expect(() => statSync(skipped.file)).toThrow();
    });

    const b64 = (pair: string) => Buffer.from(pair).toString('base64');
    /** What Buildah would log in with for a host, reading FILE as its auth file (containers/image itself). */
    const buildahLogin = (file: string, host: string) =>
      spawnSync('buildah', ['login', '--get-login', host], {
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', REGISTRY_AUTH_FILE: file, HOME: dirname(file) },
        encoding: 'utf8',
      });

    it.each([
      ['', 'docker'],
      ['containers', 'containers'],
      ['cigen', 'cigen'],
    ] as const)(
      "leaves DOCKER_AUTH_CONFIG's credsStore out for the reader '%s', saying what that reader would do with it",
      (reader, said) => {
        const dockerAuthConfig = JSON.stringify({
          credsStore: 'ecr-login',
          credHelpers: { '123.dkr.ecr.eu-west-1.amazonaws.com': 'ecr-login' },
          auths: { 'other.example.com': { auth: b64('other:s3cret-other') } },
          proxies: { default: { httpProxy: 'http://proxy:3128' } },
        });
        const { result, file } = write({
          R: 'registry.example.com',
          U: 'ci-user',
          P: 's3cret-pw',
          DOCKER_AUTH_CONFIG: dockerAuthConfig,
          cigen_auth_reader: reader,
        });
        expect(result.status).toBe(0);
        const { config, decoded } = auths(file);
        expect(config).not.toHaveProperty('credsStore');
        expect(decoded).toEqual({ 'registry.example.com': 'ci-user:s3cret-pw', 'other.example.com': 'other:s3cret-other' });
        // what a user can write instead is kept
        expect(config['credHelpers']).toEqual({ '123.dkr.ecr.eu-west-1.amazonaws.com': 'ecr-login' });
        expect(config['proxies']).toEqual({ default: { httpProxy: 'http://proxy:3128' } });
        expect(result.stdout.split('\n').filter((line) => line.includes('credsStore'))).toEqual([
          credsStoreSaid('DOCKER_AUTH_CONFIG', said).trimEnd(),
        ]);
        expect(result.stdout + result.stderr).not.toContain('s3cret');
        expect(result.stdout + result.stderr).not.toContain('ecr-login');
      },
    );

    it('leaves a credsStore out of a config file it starts from too', () => {
      const { result, file } = write({
        R: 'registry.example.com',
        U: 'ci-user',
        P: 'pw',
        DOCKER_AUTH_CONFIG: JSON.stringify({ auths: {}, credsStore: 'desktop' }),
      });
      expect(result.status).toBe(0);
      expect(auths(file).config).toEqual({ auths: { 'registry.example.com': { auth: b64('ci-user:pw') } } });
    });

    it("keeps one entry for Docker Hub however it is spelled: the input's, and no helper for it", () => {
      const dockerAuthConfig = JSON.stringify({
        auths: {
          'docker.io': { auth: b64('runner:r1') },
          'index.docker.io': { auth: b64('runner:r2') },
          'registry-1.docker.io': { auth: b64('runner:r3') },
          'https://index.docker.io/v1/': { auth: b64('runner:r4') },
          'docker.io/acme': { auth: b64('runner:r5') },
          'https://registry.example.com/v1/': { auth: b64('runner:r6') },
          'quay.io/acme': { auth: b64('quay:q1') },
        },
        credHelpers: { 'docker.io': 'hub-helper', 'https://index.docker.io/v1/': 'hub-helper', 'quay.io': 'quay-helper' },
      });
      const { result, file } = write({ R: 'docker.io', U: 'me', P: 'pw', DOCKER_AUTH_CONFIG: dockerAuthConfig });
      expect(result.status).toBe(0);
      const { config, decoded } = auths(file);
      expect(decoded).toEqual({
        'https://index.docker.io/v1/': 'me:pw',
        'https://registry.example.com/v1/': 'runner:r6',
        'quay.io/acme': 'quay:q1',
      });
      expect(config['credHelpers']).toEqual({ 'quay.io': 'quay-helper' });
    });

    it('keeps the first entry for a host among the files it merges, however each spells it', () => {
      const dir = mkdtempSync(join(tmpdir(), 'cigen-auth-'));
      dirs.push(dir);
      const base = join(dir, 'base.json');
      writeFileSync(
        base,
        JSON.stringify({ auths: { 'docker.io': { auth: b64('base:b1') }, 'registry.example.com': { auth: b64('base:b2') } } }),
      );
      const dockerAuthConfig = JSON.stringify({
        auths: { 'https://index.docker.io/v1/': { auth: b64('runner:r1') }, 'http://registry.example.com': { auth: b64('runner:r2') } },
      });
      const { result, file } = write({ R: '', U: '', P: '', DOCKER_AUTH_CONFIG: dockerAuthConfig, B: base }, '\'\' "$B"');
      expect(result.status).toBe(0);
      expect(auths(file).decoded).toEqual({ 'https://index.docker.io/v1/': 'runner:r1', 'http://registry.example.com': 'runner:r2' });
    });

    it('leaves the registry input to docker login with no other entry or helper for its host, which docker login would write into', () => {
      const dockerAuthConfig = JSON.stringify({
        auths: { 'https://index.docker.io/v1/': { auth: b64('runner:r1') }, 'other.example.com': { auth: b64('other:o1') } },
        credHelpers: { 'https://index.docker.io/v1/': 'hub-helper' },
      });
      const { result, file } = write({ R: 'docker.io', U: 'me', P: 'pw', DOCKER_AUTH_CONFIG: dockerAuthConfig }, 'skip-registry');
      expect(result.status).toBe(0);
      expect(auths(file).config).toEqual({ auths: { 'other.example.com': { auth: b64('other:o1') } } });
    });

    describe('the containers auth file (Buildah, Skopeo)', () => {
      const containers = (env: Record<string, string>, base: object) => {
        const dir = mkdtempSync(join(tmpdir(), 'cigen-auth-'));
        dirs.push(dir);
        const file = join(dir, 'out/auth.json');
        const login = join(dir, 'login.json');
        writeFileSync(login, JSON.stringify(base));
        const result = runShell(
          shell,
          'cigen_registry=$R cigen_registry_user=$U cigen_registry_password=$P\ncigen_write_containers_auth "$F"\nprintf "%s\\n" "reader=${cigen_auth_reader-}"',
          { F: file, REGISTRY_AUTH_FILE: login, HOME: dir, ...env },
        );
        return { result, file };
      };

      it.each([
        ['docker.io', { 'docker.io': { auth: b64('runner:rpw') } }, {}],
        ['index.docker.io', { 'index.docker.io': { auth: b64('runner:rpw') } }, {}],
        ['a docker.io namespace', { 'docker.io/group': { auth: b64('runner:rpw') } }, {}],
        ['a docker.io credential helper', {}, { 'docker.io': 'runner-helper' }],
      ])("writes the input's Docker Hub entry under docker.io, the one Buildah reads, over the job's own for %s", (_, theirs, helpers) => {
        const { result, file } = containers(
          { R: 'docker.io', U: 'hubuser', P: 'hubpw' },
          { auths: { ...theirs, 'quay.io': { auth: b64('quay:qpw') } }, credHelpers: helpers },
        );
        expect(result.status).toBe(0);
        expect(result.stdout).toContain('reader=\n');
        const { config, decoded } = auths(file);
        expect(decoded).toEqual({ 'docker.io': 'hubuser:hubpw', 'quay.io': 'quay:qpw' });
        expect(config['credHelpers']).toBeUndefined();
        const login = buildahLogin(file, 'docker.io');
        expect(login.stderr).toBe('');
        expect(login.stdout.trim()).toBe('hubuser');
        expect(buildahLogin(file, 'docker.io/group/app').stdout.trim()).toBe('hubuser');
        expect(buildahLogin(file, 'quay.io').stdout.trim()).toBe('quay');
      });

      it('without REGISTRY_AUTH_FILE reads the files containers/image reads, in its order (the login file, $XDG_CONFIG_HOME, the docker config.json)', () => {
        const dir = mkdtempSync(join(tmpdir(), 'cigen-auth-'));
        dirs.push(dir);
        const file = join(dir, 'out/auth.json');
        const files: Record<string, Record<string, string>> = {
          // where a `buildah login` writes with XDG_RUNTIME_DIR set
          'xdg/containers/auth.json': { 'login.example.com': 'login:l1', 'shared.example.com': 'login:l2' },
          'config/containers/auth.json': { 'config.example.com': 'config:c1', 'shared.example.com': 'config:c2' },
          // not read: XDG_CONFIG_HOME takes its place
          'home/.config/containers/auth.json': { 'home.example.com': 'home:h1' },
          'home/.docker/config.json': { 'docker.example.com': 'docker:d1', 'shared.example.com': 'docker:d2' },
        };
        for (const [path, entries] of Object.entries(files)) {
          mkdirSync(dirname(join(dir, path)), { recursive: true });
          const auths = Object.fromEntries(Object.entries(entries).map(([host, pair]) => [host, { auth: b64(pair) }]));
          writeFileSync(join(dir, path), JSON.stringify({ auths }));
        }
        // No DOCKER_CONFIG: Buildah would take $DOCKER_CONFIG/config.json for its auth file (its --authfile default).
        const env = { HOME: join(dir, 'home'), XDG_RUNTIME_DIR: join(dir, 'xdg'), XDG_CONFIG_HOME: join(dir, 'config') };
        const result = runShell(
          shell,
          "cigen_registry='' cigen_registry_user='' cigen_registry_password=''\ncigen_write_containers_auth \"$F\"",
          {
            F: file,
            ...env,
          },
        );
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
        const expected = {
          'login.example.com': 'login:l1',
          'shared.example.com': 'login:l2',
          'config.example.com': 'config:c1',
          'docker.example.com': 'docker:d1',
        };
        expect(auths(file).decoded).toEqual(expected);
        // containers/image itself, reading the job's own files: the same user for every host, none for home.example.com
        const theirs = (host: string) =>
          spawnSync('buildah', ['login', '--get-login', host], {
            env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
            encoding: 'utf8',
          });
        for (const [host, pair] of Object.entries(expected)) expect(theirs(host).stdout.trim()).toBe(pair.split(':')[0]);
        expect(theirs('home.example.com').status).not.toBe(0);
      });

      it("the job's Docker Hub entry stays when the inputs give none: one, the first", () => {
        const { result, file } = containers(
          {
            R: 'registry.example.com',
            U: 'ci',
            P: 'cipw',
            DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'index.docker.io': { auth: b64('runner:r1') } } }),
          },
          { auths: { 'docker.io': { auth: b64('login:l1') } } },
        );
        expect(result.status).toBe(0);
        expect(auths(file).decoded).toEqual({ 'registry.example.com': 'ci:cipw', 'docker.io': 'runner:r1' });
        expect(buildahLogin(file, 'docker.io').stdout.trim()).toBe('runner');
      });
    });

    describe("Docker Hub's entries from DOCKER_AUTH_CONFIG, docker-config and the job's own files", () => {
      /** cigen_write_auth with no inputs, DOCKER_AUTH_CONFIG, the docker-config input's file and a base file. */
      const merged = (texts: { runner?: object; dockerConfig?: object; base?: object }, containers: boolean) => {
        const dir = mkdtempSync(join(tmpdir(), 'cigen-auth-'));
        dirs.push(dir);
        const file = join(dir, 'out/config.json');
        const [config, base] = [join(dir, 'docker-config.json'), join(dir, 'base.json')];
        writeFileSync(config, JSON.stringify(texts.dockerConfig ?? {}));
        writeFileSync(base, JSON.stringify(texts.base ?? {}));
        const result = runShell(
          shell,
          `cigen_registry='' cigen_registry_user='' cigen_registry_password='' cigen_docker_config_file=$C\n` +
            `${containers ? 'cigen_auth_reader=containers\n' : ''}cigen_write_auth "$F" '' "$B"\nprintf "said=%s\\n" "$(cigen_credentials_said)"`,
          { F: file, C: config, B: base, HOME: dir, ...(texts.runner ? { DOCKER_AUTH_CONFIG: JSON.stringify(texts.runner) } : {}) },
        );
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
        return { result, file, ...auths(file) };
      };
      const SPELLINGS = [
        'docker.io',
        'index.docker.io',
        'registry-1.docker.io',
        'https://index.docker.io/v1/',
        'https://registry-1.docker.io/v2/',
      ];

      it.each(SPELLINGS)(
        "%s is written under the key each reader looks up: https://index.docker.io/v1/ in Docker's config.json, docker.io for Buildah",
        (key) => {
          for (const [containers, hub] of [
            [false, 'https://index.docker.io/v1/'],
            [true, 'docker.io'],
          ] as const) {
            const texts = {
              runner: { auths: { [key]: { auth: b64('runner:r1') } } },
              dockerConfig: { auths: { 'quay.io': { auth: b64('quay:q1') } }, credHelpers: { [key]: 'hub-helper' } },
            };
            const { result, config, decoded } = merged(texts, containers);
            expect(decoded).toEqual({ [hub]: 'runner:r1', 'quay.io': 'quay:q1' });
            // the helper is for a host DOCKER_AUTH_CONFIG gave credentials for: dropped
            expect(config['credHelpers']).toBeUndefined();
            expect(result.stdout).toContain(`cigen: registry credentials for "${hub}" "quay.io" in ${file(result)}`);
            expect(result.stdout).toContain(
              'said=credentials from DOCKER_AUTH_CONFIG for docker.io, from docker-config for quay.io, for no other host\n',
            );
          }
          const helper = merged({ base: { credHelpers: { [key]: 'hub-helper' } } }, false);
          expect(helper.config['credHelpers']).toEqual({ 'https://index.docker.io/v1/': 'hub-helper' });
          expect(helper.result.stdout).toContain('credential helpers for "https://index.docker.io/v1/" in');
        },
      );
      const file = (result: { stdout: string }) => /in (\S+config\.json) \(mode 600/.exec(result.stdout)?.[1];

      it('a namespace of Docker Hub is written index.docker.io/NAMESPACE (what Kaniko looks up), docker.io/NAMESPACE for Buildah', () => {
        const runner = { auths: { 'registry-1.docker.io/acme': { auth: b64('acme:a1') }, 'docker.io': { auth: b64('hub:h1') } } };
        expect(merged({ runner }, false).decoded).toEqual({ 'index.docker.io/acme': 'acme:a1', 'https://index.docker.io/v1/': 'hub:h1' });
        const buildah = merged({ runner }, true);
        expect(buildah.decoded).toEqual({ 'docker.io/acme': 'acme:a1', 'docker.io': 'hub:h1' });
        expect(buildahLogin(buildah.file, 'docker.io/acme/app').stdout.trim()).toBe('acme');
        expect(buildahLogin(buildah.file, 'docker.io/other/app').stdout.trim()).toBe('hub');
      });

      it("two entries of one text for a host: the one under the reader's own key wins, as the builder reading the text would take it; else the first", () => {
        const runner = {
          auths: {
            'index.docker.io': { auth: b64('first:f1') },
            'https://index.docker.io/v1/': { auth: b64('docker-key:d1') },
            'docker.io': { auth: b64('containers-key:c1') },
            'http://registry.example.com': { auth: b64('scheme:s1') },
            'registry.example.com': { auth: b64('host:h1') },
            'https://quay.io/v1/': { auth: b64('quay-first:q1') },
            'https://quay.io': { auth: b64('quay-second:q2') },
          },
          credHelpers: {
            'registry-1.docker.io': 'first-helper',
            'https://index.docker.io/v1/': 'docker-helper',
            'docker.io': 'containers-helper',
          },
        };
        const docker = merged({ runner }, false);
        expect(docker.decoded).toEqual({
          'https://index.docker.io/v1/': 'docker-key:d1',
          'registry.example.com': 'host:h1',
          'https://quay.io/v1/': 'quay-first:q1',
        });
        expect(merged({ runner }, true).decoded).toEqual({
          'docker.io': 'containers-key:c1',
          'registry.example.com': 'host:h1',
          'https://quay.io/v1/': 'quay-first:q1',
        });
        // no entry under the reader's key: the first
        const first = merged(
          { base: { auths: { 'registry-1.docker.io': { auth: b64('one:1') }, 'index.docker.io': { auth: b64('two:2') } } } },
          false,
        );
        expect(first.decoded).toEqual({ 'https://index.docker.io/v1/': 'one:1' });
        // credHelpers: the same rule (with credentials for the host given, no helper stays)
        const helpers = merged({ base: { credHelpers: runner.credHelpers } }, false);
        expect(helpers.config['credHelpers']).toEqual({ 'https://index.docker.io/v1/': 'docker-helper' });
        expect(merged({ base: { credHelpers: runner.credHelpers } }, true).config['credHelpers']).toEqual({
          'docker.io': 'containers-helper',
        });
      });
    });

    it('takes DOCKER_AUTH_CONFIG out of the environment once merged, also when it writes nothing; a later call still merges it', () => {
      const dir = mkdtempSync(join(tmpdir(), 'cigen-auth-'));
      dirs.push(dir);
      const [first, second] = [join(dir, 'first/config.json'), join(dir, 'second/config.json')];
      const script =
        'cigen_registry=$R cigen_registry_user=$U cigen_registry_password=$P\ncigen_write_auth "$F" skip-registry\n' +
        'printf "exported=%s set=%s\\n" "$(env | grep -c ^DOCKER_AUTH_CONFIG=)" "${DOCKER_AUTH_CONFIG+set}"\ncigen_write_auth "$G" \'\'';
      for (const [runner, written] of [
        [{ auths: { 'registry.example.com': { auth: b64('runner:readonly') } } }, false],
        [{ auths: { 'quay.io': { auth: b64('quay:q1') } } }, true],
      ] as const) {
        const result = runShell(shell, script, {
          F: first,
          G: second,
          R: 'registry.example.com',
          U: 'ci-user',
          P: 'pw',
          DOCKER_AUTH_CONFIG: JSON.stringify(runner),
        });
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
        expect(result.stdout).toContain('exported=0 set=\n');
        expect(existsSync(first)).toBe(written);
        expect(auths(second).decoded).toEqual({ 'registry.example.com': 'ci-user:pw', ...(written ? { 'quay.io': 'quay:q1' } : {}) });
        rmSync(first, { force: true });
      }
    });

    describe('username and password entries (Docker, Kaniko and BuildKit read them; the containers library reads auth only)', () => {
      const merge = (env: Record<string, string>, containers: boolean) => {
        const dir = mkdtempSync(join(tmpdir(), 'cigen-auth-'));
        dirs.push(dir);
        const file = join(dir, 'out/auth.json');
        const config = join(dir, 'docker-config.json');
        writeFileSync(config, env['DOCKER_CONFIG_TEXT'] ?? '{}');
        const reader = containers ? 'cigen_auth_reader=containers\n' : '';
        const result = runShell(
          shell,
          `cigen_registry='' cigen_registry_user='' cigen_registry_password='' cigen_docker_config_file=$C\n${reader}` +
            'cigen_write_auth "$F" \'\'\nprintf "said=%s\\n" "$(cigen_credentials_said)"',
          { F: file, C: config, HOME: dir, ...env },
        );
        return { result, file };
      };
      const entry = (user: string, password: string) => ({ username: user, password, email: 'ci@example.com' });
      // What a user may type: quotes, backslashes, $, non-ASCII (raw and as \u escapes), a surrogate pair, a lone surrogate.
      const text = fc.string({
        unit: fc.constantFrom('a', 'Z', '0', ' ', '"', '\\', '/', '$', ':', '\n', '\t', 'é', '漢', '😀', '\ud800'),
        maxLength: 10,
      });

      it('become the "auth" Buildah reads (base64 of user:password, as Docker makes it), other members kept, values never printed', () => {
        fc.assert(
          fc.property(text, text, (user, password) => {
            const escaped = JSON.stringify({ auths: { 'quay.io': entry(user, password) } }).replace(/[^\x20-\x7e]/gu, (c) =>
              c
                .split('')
                .map((unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`)
                .join(''),
            );
            const { result, file } = merge({ DOCKER_AUTH_CONFIG: escaped }, true);
            expect(result.status, result.stderr).toBe(0);
            const written = JSON.parse(readFileSync(file, 'utf8')) as { auths: Record<string, Record<string, string>> };
            expect(Object.keys(written.auths['quay.io'] ?? {})).toEqual(['auth', 'email']);
            expect(Buffer.from(written.auths['quay.io']?.['auth'] ?? '', 'base64')).toEqual(Buffer.from(`${user}:${password}`));
            if (password.length > 2) expect(result.stdout + result.stderr).not.toContain(password);
          }),
          { numRuns: 15 },
        );
      });

      it('Buildah logs in with them, from DOCKER_AUTH_CONFIG and from docker-config; a failed step names both', () => {
        const { result, file } = merge(
          {
            DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'quay.io': entry('robot', 'S3cr3t-pa$$ "w0rd"') } }),
            DOCKER_CONFIG_TEXT: JSON.stringify({ auths: { 'https://harbor.example.com:5000/v1/': entry('team', 'pw\\2') } }),
          },
          true,
        );
        expect(result.status).toBe(0);
        expect(buildahLogin(file, 'quay.io').stdout.trim()).toBe('robot');
        expect(buildahLogin(file, 'harbor.example.com:5000').stdout.trim()).toBe('team');
        expect(auths(file).decoded).toEqual({ 'quay.io': 'robot:S3cr3t-pa$$ "w0rd"', 'https://harbor.example.com:5000/v1/': 'team:pw\\2' });
        expect(result.stdout).toContain(
          'said=credentials from DOCKER_AUTH_CONFIG for quay.io, from docker-config for harbor.example.com:5000, for no other host\n',
        );
        expect(result.stdout + result.stderr).not.toContain('w0rd');
      });

      it('stay as written for the other builders, which read them, and an entry with an auth keeps it', () => {
        const config = {
          auths: { 'quay.io': entry('robot', 'pw'), 'ghcr.io': { auth: b64('gh:token'), username: 'ignored', password: 'x' } },
        };
        for (const containers of [false, true]) {
          const { result, file } = merge({ DOCKER_AUTH_CONFIG: JSON.stringify(config) }, containers);
          expect(result.status).toBe(0);
          const written = JSON.parse(readFileSync(file, 'utf8')) as { auths: Record<string, unknown> };
          expect(written.auths['ghcr.io']).toEqual(config.auths['ghcr.io']);
          expect(written.auths['quay.io']).toEqual(
            containers ? { auth: b64('robot:pw'), email: 'ci@example.com' } : config.auths['quay.io'],
          );
        }
      });

      it('a failed step with no credentials from anywhere says so, naming every source it looked at', () => {
        const { result } = merge({}, true);
        expect(result.stdout).toContain(
          'said=no credentials from registry-user, registries, registry-login, CI_DEPENDENCY_PROXY_USER, DOCKER_AUTH_CONFIG, ' +
            'docker-config or its own config files\n',
        );
      });
    });

    it('refuses a DOCKER_AUTH_CONFIG that is not JSON, naming it', () => {
      const { result } = write({ R: '', U: '', P: '', DOCKER_AUTH_CONFIG: '{"auths": {"x": {"auth": "y"}' });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('DOCKER_AUTH_CONFIG');
    });
  });
});
