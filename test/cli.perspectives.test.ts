import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PerspectivesView } from '../src/perspectives/view.js';
import { startLlmServer, type LlmServer } from './support/llm-server.js';
import { type CliRun, runParallax } from './support/cli.js';
import { spawnServer } from './support/server-process.js';

/** `parallax perspectives` run as a child process, as a shell user runs it (as in cli.test.ts). */
let dir: string;
let llm: LlmServer;
let server: ChildProcess | undefined;

const COMPANY = 'seeds/harbour-closure-company-statement.md';
const UNION = 'seeds/harbour-closure-union-reply.md';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parallax-cli-perspectives-'));
  // Every claim read against the other document: no answer, slowly, so the run outlives the wait.
  llm = await startLlmServer({ latencyMs: 300, handler: () => '{"responses":[]}' });
});
afterAll(async () => {
  server?.kill('SIGKILL');
  await llm.close();
  rmSync(dir, { recursive: true, force: true });
});

const localEnv = () => ({ DATABASE_PATH: join(dir, 'local.sqlite'), LLM_PROVIDER: 'local' });

function parallax(args: string[], env: Record<string, string> = localEnv()): Promise<CliRun> {
  return runParallax(args, { env });
}

/** The response lines printed under the claim whose line contains `claim`. */
function responsesTo(stdout: string, claim: string): string[] {
  const lines = stdout.split('\n');
  const at = lines.findIndex((line) => /^ +\d+\. [✓✗] "/.test(line) && line.includes(claim));
  if (at < 0) return [];
  const end = lines.findIndex((line, index) => index > at && !/^ {5,}\S/.test(line));
  return lines.slice(at + 1, end < 0 ? undefined : end);
}

describe('parallax perspectives', () => {
  it('prints, per document, each claim and how the other answers it', async () => {
    const run = await parallax(['perspectives', COMPANY, UNION]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('harbour-closure-company-statement ↔ harbour-closure-union-reply');
    expect(lines[1]).toMatch(
      /^brief@\d+ · local\/\S+ · free \(offline\) · \d+ claim\(s\) · psp_[0-9a-f]{24}$/,
    );
    expect(lines).toContain('harbour-closure-company-statement');
    expect(lines).toContain('harbour-closure-union-reply');

    // The company's claim, disputed by the union in its own words.
    const company = responsesTo(run.stdout, '"The union was consulted at every stage');
    expect(company).toContainEqual(
      expect.stringMatching(
        /^ +disputes {2}harbour-closure-union-reply: ✓ ".*union was consulted at every stage.*is false\."$/,
      ),
    );
    // The union's claim, disputed by the company's account of the meetings.
    const union = responsesTo(run.stdout, '"The union was never consulted about the closure."');
    expect(union).toContainEqual(
      expect.stringMatching(/^ +disputes {2}harbour-closure-company-statement: ✓ "/),
    );
    // Each answer is followed by its note; a silent document takes one line.
    expect(run.stdout).toMatch(/^ +silent {4}harbour-closure-(union-reply|company-statement)$/m);
  });

  it('prints the API view with --json', async () => {
    const run = await parallax(['perspectives', COMPANY, UNION, '--json']);
    expect(run.code).toBe(0);
    const view = PerspectivesView.parse(JSON.parse(run.stdout));
    expect(view.status).toBe('succeeded');
    expect(view.documents.map((document) => document.title)).toEqual([
      'harbour-closure-company-statement',
      'harbour-closure-union-reply',
    ]);
    expect(view.result!.claims.length).toBeGreaterThan(0);
  });

  it('refuses one file before sending anything', async () => {
    let requests = 0;
    const fake = createServer((_request, response) => {
      requests++;
      response.writeHead(500).end();
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
      const run = await parallax(['perspectives', COMPANY, '--server', url]);
      expect(run).toMatchObject({ code: 2, stdout: '' });
      expect(run.stderr).toMatch(
        /^parallax perspectives: give 2 to 5 files to read against each other \(got 1\)\n/,
      );
      expect(run.stderr).toContain('parallax perspectives <file> <file> [<file>...]');
      const missing = await parallax(['perspectives', COMPANY, 'nope.md', '--server', url]);
      expect(missing).toMatchObject({ code: 1, stdout: '' });
      expect(missing.stderr.trim()).toBe('parallax perspectives: file not found: nope.md');
      expect(requests).toBe(0);
    } finally {
      await new Promise((resolve) => fake.close(resolve));
    }
  });

  it("prints the API's error code and message, and exits non-zero", async () => {
    const unknown = await parallax(['perspectives', COMPANY, UNION, '--prompt', 'brief@9']);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/^parallax perspectives: unknown_prompt: .*brief@9/);
    const empty = join(dir, 'empty.md');
    writeFileSync(empty, '  \n');
    const refused = await parallax(['perspectives', COMPANY, empty]);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toMatch(
      new RegExp(`^parallax perspectives: ${empty}: invalid_request: The document is empty`),
    );
  });

  it('follows a slow run on `parallax serve` to its outcome, with progress on stderr', async () => {
    const started = await spawnServer(['src/cli/main.ts', 'serve', '--port', '0'], {
      DATABASE_PATH: join(dir, 'server.sqlite'),
      OPENAI_BASE_URL: llm.url,
      LLM_MODEL: 'test-model',
      LLM_CONCURRENCY: '2',
    });
    server = started.process;
    const run = await parallax(['perspectives', COMPANY, UNION, '--server', started.url], {
      DATABASE_PATH: join(dir, 'missing', 'client.sqlite'),
      LLM_PROVIDER: 'local',
    });
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[1]).toMatch(/ · openai\/test-model · /);
    const total = /perspectives \[[^\]]*\] (\d+)\/(\d+) claim readings/.exec(run.stderr);
    expect(total).not.toBeNull();
    expect(run.stderr).toMatch(new RegExp(`${total![2]}/${total![2]} claim readings`));
    expect(llm.calls.length).toBeGreaterThan(3);
  });
});
