/**
 * The bot's log line per project (stdout in a CI log, stderr with --format json) quotes what
 * projects and servers wrote — an include's path from a project's pipeline, GitLab's or a proxy's
 * error message — and must stay one line: a line break in it could pass for another project's line,
 * a terminal escape could rewrite what is shown. Against the in-process fake GitLab.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cigenAsync as cli } from '../helpers/cli.js';
import { FakeGitLab } from '../helpers/fake-gitlab.js';

let fake: FakeGitLab;
beforeEach(async () => {
  fake = await FakeGitLab.start();
});
afterEach(async () => {
  await fake.stop();
});

const FORGED = 'opened             acme/forged https://gitlab.example.com/acme/forged/-/merge_requests/1';

it("gives each project one line, whatever a project's pipeline or a server's message holds", async () => {
  // A project's owner chooses its include paths: YAML's "\n" and "\e" put a line break and an ESC in one.
  fake.addProject({
    path: 'acme/evil',
    files: { '.gitlab-ci.yml': `include:\n  - local: "ci/x.yml\\n${FORGED}\\e[2K"\nbuild:\n  script: [make]\n` },
  });
  // A proxy's error page, several lines of it.
  const proxied = fake.addProject({ path: 'acme/proxied', files: { '.gitlab-ci.yml': 'build:\n  script: [make]\n' } });
  const page = { path: new RegExp(`/projects/${proxied}/repository/files/`), status: 403, body: { message: `403 Forbidden\n${FORGED}\n` } };
  fake.inject(page);

  const text = await cli(['bot', '--gitlab-url', fake.url, '--group', 'acme', '--dry-run'], { GITLAB_TOKEN: fake.token });
  expect(text.status).toBe(0);
  fake.inject(page);
  const json = await cli(['bot', '--gitlab-url', fake.url, '--group', 'acme', '--dry-run', '--format', 'json'], {
    GITLAB_TOKEN: fake.token,
  });
  for (const log of [text.stdout, json.stderr]) {
    const lines = log.trimEnd().split('\n');
    // Two projects and the summary: no line of anyone else's making.
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^nothing-to-migrate +acme\/evil — .*ci\/x\.yml\\nopened {13}acme\/forged .*\\x1b\[2K/);
    expect(lines[1]).toMatch(/^skipped +acme\/proxied — no permission to read \(403\): .*403 Forbidden\\nopened/);
    expect(log).not.toContain('\x1b');
  }
  // The report itself keeps what was written, as JSON does.
  expect(JSON.parse(json.stdout).projects[0].reason).toContain(`ci/x.yml\n${FORGED}\x1b[2K`);
});
