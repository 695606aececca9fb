import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BriefView } from '../src/briefs/view.js';
import { seed } from './analyst-helpers.js';
import { createTestApp, policyDocument } from './support/app.js';
import { makePdf } from './support/documents.js';
import { startLlmServer, type LlmServer } from './support/llm-server.js';
import { type CliRun, runParallax } from './support/cli.js';
import { spawnServer } from './support/server-process.js';

/** The `parallax` command line run as child processes, as a shell user runs it. */
let dir: string;
let llm: LlmServer;
let server: ChildProcess | undefined;
let serverUrl: string | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parallax-cli-'));
  llm = await startLlmServer({ latencyMs: 20 });
  writeFileSync(join(dir, 'long.md'), policyDocument(40, 'water'));
});
afterAll(async () => {
  server?.kill('SIGKILL');
  await llm.close();
  rmSync(dir, { recursive: true, force: true });
});

const localEnv = () => ({ DATABASE_PATH: join(dir, 'local.sqlite'), LLM_PROVIDER: 'local' });
/** The test LLM server, small chunks: a policy document of 40 paragraphs is many chunks. */
const llmEnv = () => ({
  DATABASE_PATH: join(dir, 'llm.sqlite'),
  OPENAI_BASE_URL: llm.url,
  LLM_MODEL: 'test-model',
  CHUNK_TOKENS: '300',
  LLM_CONCURRENCY: '2',
});

function parallax(
  args: string[],
  options: { env?: Record<string, string>; input?: string | Uint8Array } = {},
): Promise<CliRun> {
  return runParallax(args, { ...options, env: options.env ?? localEnv() });
}

describe('parallax brief', () => {
  it('prints a seed document as readable text', async () => {
    const run = await parallax(['brief', 'seeds/rent-cap-speech.md', '--prompt', 'brief@1']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[1]).toMatch(
      /^rent-cap-speech · brief@1 · local\/\S+ · free \(offline\) · 1 chunk\(s\) · brf_[0-9a-f]{24}$/,
    );
    expect(lines).toContain('Summary');
    expect(lines).toContain('Key points');
    expect(lines).toContain('Notes');
    // Each key point is followed by its verified citation, quoted from the seed.
    const cited = [...run.stdout.matchAll(/^ {5}✓ "(.+)"$/gm)].map((m) => m[1]!);
    expect(cited.length).toBeGreaterThan(0);
    for (const quote of cited) expect(seed('rent-cap-speech.md')).toContain(quote);
  });

  it('prints the API JSON with --json (here from the cache)', async () => {
    const run = await parallax([
      'brief',
      'seeds/rent-cap-speech.md',
      '--prompt',
      'brief@1',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const view = BriefView.parse(JSON.parse(run.stdout));
    expect(view).toMatchObject({
      status: 'succeeded',
      cached: true,
      document: { title: 'rent-cap-speech' },
      prompt: { ref: 'brief@1' },
    });
  });

  it('makes a cached brief again with --refresh brief, and refuses another value', async () => {
    const args = ['brief', '-', '--title', 'Refresh', '--json'];
    const input = { input: 'The Council said the ferry will run hourly. Riders say it is late.' };
    await parallax(args, input);
    const cached = BriefView.parse(JSON.parse((await parallax(args, input)).stdout));
    expect(cached.cached).toBe(true);
    const again = await parallax([...args, '--refresh', 'brief'], input);
    expect(again.code).toBe(0);
    const refreshed = BriefView.parse(JSON.parse(again.stdout));
    expect(refreshed).toMatchObject({ status: 'succeeded', cached: false });
    expect(refreshed.id).not.toBe(cached.id);
    // The new brief takes over the cache.
    const after = BriefView.parse(JSON.parse((await parallax(args, input)).stdout));
    expect(after.id).toBe(refreshed.id);
    const wrong = await parallax([...args, '--refresh', 'everything'], input);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--refresh is brief or calls');
  });

  it('reads the document from stdin with -', async () => {
    const run = await parallax(['brief', '-', '--title', 'Bridge'], {
      input: 'The Council said the bridge will open in May. Residents say it is dangerous.',
    });
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[1]).toMatch(/^Bridge · brief@5 · /);
  });

  it('sends an HTML file as HTML, so the server reads its main content and title', async () => {
    const page = join(dir, 'page.html');
    writeFileSync(
      page,
      '<html><head><title>Bridge plan</title></head><body><nav>Home | About</nav><article><h1>Bridge plan</h1>' +
        '<p>The Council said the new bridge will open in May and cut journeys by 40%. Residents were not consulted about the design.</p>' +
        '<p>The Mayor said the critics were wrong about the cost of the bridge.</p></article></body></html>',
    );
    const run = await parallax(['brief', page, '--json']);
    expect(run.code).toBe(0);
    const view = BriefView.parse(JSON.parse(run.stdout));
    expect(view.document.title).toBe('Bridge plan');
    expect(JSON.stringify(view.brief)).not.toContain('Home | About');
  });

  it('reads a PDF from stdin: the server tells it from text by its bytes', async () => {
    const pdf = await makePdf(
      [
        ['The Board said the levy rises by 3 percent next year.'],
        ['Councils were not asked about the levy.'],
      ],
      'Levy report',
    );
    const run = await parallax(['brief', '-', '--json'], { input: pdf });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const view = BriefView.parse(JSON.parse(run.stdout));
    expect(view.document.title).toBe('Levy report');
    const document = await parallax(['briefs', '--document', view.document.id, '--json']);
    expect(BriefView.array().parse(JSON.parse(document.stdout))[0]!.id).toBe(view.id);
  });

  it('names the page of each quote of a PDF', async () => {
    const file = join(dir, 'levy.pdf');
    writeFileSync(
      file,
      await makePdf([
        ['The Board said the harbour levy rises by 3 percent next year.'],
        ['Councils were not asked about the harbour levy.'],
      ]),
    );
    const run = await parallax(['brief', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /✓ "The Board said the harbour levy rises by 3 percent next year\." \(p\. 1\)/,
    );
    expect(run.stdout).toMatch(/✓ "Councils were not asked about the harbour levy\." \(p\. 2\)/);
  });

  it('runs as the installed bin (bin/parallax.mjs)', async () => {
    const child = spawn(process.execPath, ['bin/parallax.mjs', 'prompts'], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...localEnv() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^brief@1 +[0-9a-f]{12} /m);
  });

  it('says which file is missing and exits 1', async () => {
    const run = await parallax(['brief', 'nope.md']);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr.trim()).toBe('parallax brief: file not found: nope.md');
  });

  it('exits 1 with the reason when the server refuses the document', async () => {
    const run = await parallax(['brief', '-'], { input: '   \n' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^parallax brief: The document is empty/);
    const unknown = await parallax(['brief', 'seeds/rent-cap-speech.md', '--prompt', 'brief@9']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/brief@9/);
  });

  it('shows a progress bar on stderr for a brief that takes more than a second', async () => {
    llm.latencyMs = 250;
    const run = await parallax(['brief', join(dir, 'long.md')], { env: llmEnv() });
    llm.latencyMs = 20;
    expect(run.code).toBe(0);
    const total = /(\d+) chunk\(s\)/.exec(run.stdout)![1];
    expect(Number(total)).toBeGreaterThan(3);
    expect(run.stderr).toMatch(new RegExp(`brief \\[[^\\]]*\\] ${total}/${total} chunks`));
  });
});

describe.concurrent('usage errors exit 2', () => {
  it.each([
    [['frob'], /unknown command "frob"/],
    [['brief', 'seeds/rent-cap-speech.md', '--colour'], /Unknown option '--colour'/],
    [['brief'], /give one file to brief/],
    [['compare', '--a', 'brief@1'], /--document, --a and --b are required/],
    [['briefs', '--status', 'done'], /--status is running, succeeded or failed/],
    [[], /usage: parallax <command>/],
  ])('parallax %j', async (args, message) => {
    const run = await parallax(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });
});

describe('listing and comparing', () => {
  it('lists prompt versions, marking the latest', async () => {
    const run = await parallax(['prompts']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^brief@1 +[0-9a-f]{12} /m);
    expect(run.stdout).toMatch(/^brief@2 +[0-9a-f]{12} /m);
    expect(run.stdout).toMatch(/^brief@5 +latest +[0-9a-f]{12} /m);
  });

  it('lists the briefs made, with filters', async () => {
    const all = await parallax(['briefs', '--json']);
    expect(all.code).toBe(0);
    const items = BriefView.array().parse(JSON.parse(all.stdout));
    const speech = items.find((item) => item.document.title === 'rent-cap-speech')!;
    expect(speech.prompt.ref).toBe('brief@1');

    const text = await parallax([
      'briefs',
      '--document',
      speech.document.id,
      '--prompt',
      'brief@1',
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout.trim().split('\n')).toHaveLength(1);
    expect(text.stdout).toMatch(
      new RegExp(`^${speech.id} +succeeded +brief@1 +local/analyst-3 +1 chunk\\(s\\)`),
    );

    const failed = await parallax(['briefs', '--status', 'failed']);
    expect(failed).toMatchObject({ code: 0, stdout: '' });
    expect(failed.stderr).toMatch(/no briefs match/);
  });

  it('compares two prompt versions, briefing the missing one with --run', async () => {
    const listed = BriefView.array().parse(
      JSON.parse((await parallax(['briefs', '--prompt', 'brief@1', '--json'])).stdout),
    );
    const document = listed.find((item) => item.document.title === 'rent-cap-speech')!.document.id;

    const without = await parallax([
      'compare',
      '--document',
      document,
      '--a',
      'brief@1',
      '--b',
      'brief@2',
    ]);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/brief@2/);

    const run = await parallax([
      'compare',
      '--document',
      document,
      '--a',
      'brief@1',
      '--b',
      'brief@2',
      '--run',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^rent-cap-speech: brief@1 \(brf_\w+\) → brief@2 \(brf_\w+\)$/m);
    const counts = /^Key points {2}kept (\d+) · changed (\d+) · added (\d+) · dropped (\d+)$/m.exec(
      run.stdout,
    );
    expect(counts).not.toBeNull();
    // Each key point on a line of its own under its mark, as many as the counts say.
    const marked = run.stdout
      .split('\nNotes')[0]!
      .split('\n')
      .filter((line) => /^ {2}(kept|changed|added|dropped) +\S/.test(line));
    expect(marked).toHaveLength(counts!.slice(1).reduce((total, n) => total + Number(n), 0));
    expect(run.stdout).toMatch(/^Notes {7}kept \d+ · changed \d+ · added \d+ · dropped \d+$/m);
    expect(run.stdout).toMatch(/^summary words +\d+ +\d+$/m);
    expect(run.stdout).toMatch(/^ROUGE F1 of b against a: R-1 0\.\d{3}/m);
  });

  it('migrates the database and says so', async () => {
    const run = await parallax(['migrate'], {
      env: { ...localEnv(), DATABASE_PATH: join(dir, 'fresh.sqlite') },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        `^database ${join(dir, 'fresh.sqlite')} is migrated \\(\\d+ migrations applied\\)`,
      ),
    );
  });
});

describe('parallax seed and eval', () => {
  const corpus = () => {
    const folder = join(dir, 'corpus');
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, 'levy.md'),
      '# Levy plan\n\nThe Ministry said the levy will raise 40 million. Retailers were not asked.',
    );
    writeFileSync(
      join(folder, 'bridge.md'),
      '# Bridge plan\n\nThe Council said the bridge will open in May. Residents say it is unsafe.',
    );
    return folder;
  };

  it('seeds a folder, then again from the cache; an unknown prompt version exits 2 before anything runs', async () => {
    const env = { ...localEnv(), DATABASE_PATH: join(dir, 'seed.sqlite') };
    const first = await parallax(['seed', '--dir', corpus(), '--prompts', 'brief@1,brief@2'], {
      env,
    });
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.every((line) => / (created) +brf_\w+ +1 chunk\(s\)/.test(line))).toBe(true);
    const again = await parallax(['seed', '--dir', corpus(), '--prompts', 'brief@1,brief@2'], {
      env,
    });
    expect(
      again.stdout
        .trim()
        .split('\n')
        .every((line) => / cached +brf_/.test(line)),
    ).toBe(true);

    const unknown = await parallax(['seed', '--dir', corpus(), '--prompts', 'brief@1,brief@9'], {
      env: { ...env, DATABASE_PATH: join(dir, 'seed-unknown.sqlite') },
    });
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/Unknown prompt "brief@9"/);
  });

  it('evaluates a corpus: the table, both report files, and the run stored where the briefs are', async () => {
    const env = { ...localEnv(), DATABASE_PATH: join(dir, 'eval.sqlite') };
    const out = join(dir, 'reports');
    const run = await parallax(
      ['eval', '--prompts', 'brief@1,brief@2', '--corpus', corpus(), '--out', out],
      { env },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\| metric \| brief@1 \| brief@2 \|$/m);
    const id = /Report: .*\/(evl_[0-9a-f]{24})\.json/.exec(run.stdout)![1]!;
    expect(JSON.parse(readFileSync(join(out, `${id}.json`), 'utf8'))).toMatchObject({
      id,
      provider: 'local',
      run: { documents: 2, briefs: 4, failures: 0 },
    });
    expect(readFileSync(join(out, `${id}.md`), 'utf8')).toContain('| metric |');
    expect(run.stderr).toMatch(/eval \[[^\]]*\] 4\/4 briefs/);

    const missing = await parallax(
      ['eval', '--prompts', 'brief@1', '--corpus', join(dir, 'nope')],
      { env },
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(
      `parallax eval: corpus not found: ${join(dir, 'nope')} (a folder of .md/.txt files or a .jsonl file)`,
    );
    const unknown = await parallax(['eval', '--prompts', 'brief@9', '--corpus', corpus()], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown prompt "brief@9"/);
  });
});

/** Runs `parallax serve --port 0` and resolves with its base URL once it listens. */
async function startServer(env: Record<string, string>): Promise<string> {
  const started = await spawnServer(['src/cli/main.ts', 'serve', '--port', '0'], env);
  server = started.process;
  return started.url;
}

describe('--server URL', () => {
  it('briefs through `parallax serve`, with progress from its event stream, and lists from it', async () => {
    const url = await startServer({ ...llmEnv(), DATABASE_PATH: join(dir, 'server.sqlite') });
    serverUrl = url;
    // The client's own database stays untouched: a path in a folder that does not exist.
    const clientEnv = {
      DATABASE_PATH: join(dir, 'missing', 'client.sqlite'),
      LLM_PROVIDER: 'local',
    };
    llm.latencyMs = 250;
    const run = await parallax(
      ['brief', join(dir, 'long.md'), '--server', url, '--prompt', 'brief@1'],
      { env: clientEnv },
    );
    llm.latencyMs = 20;
    expect(run.code).toBe(0);
    const total = /· (\d+) chunk\(s\) · (brf_\w+)/.exec(run.stdout)!;
    expect(Number(total[1])).toBeGreaterThan(3);
    expect(run.stderr).toMatch(new RegExp(`${total[1]}/${total[1]} chunks`));

    const listed = await parallax(['briefs', '--server', url], { env: clientEnv });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${total[2]} +succeeded +brief@1 `, 'm'));
  });

  it('seeds, evaluates and briefs with the offline analyst on the server, which stores the run', async () => {
    const url = serverUrl!;
    const clientEnv = {
      DATABASE_PATH: join(dir, 'missing', 'client.sqlite'),
      LLM_PROVIDER: 'local',
    };
    const folder = join(dir, 'server-corpus');
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, 'dam.md'),
      '# Dam plan\n\nThe Agency said the dam is safe. Nobody else was asked about the dam.',
    );
    const seeded = await parallax(
      ['seed', '--dir', folder, '--prompts', 'brief@1', '--server', url],
      { env: clientEnv },
    );
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toMatch(/^dam +brief@1 +created +brf_/);

    const out = join(dir, 'server-reports');
    const evaluated = await parallax(
      [
        'eval',
        '--prompts',
        'brief@1,brief@2',
        '--corpus',
        folder,
        '--provider',
        'local',
        '--out',
        out,
        '--server',
        url,
      ],
      { env: clientEnv },
    );
    expect(evaluated.code).toBe(0);
    const id = /(evl_[0-9a-f]{24})\.json/.exec(evaluated.stdout)![1]!;
    const stored = (await (await fetch(`${url}/v1/evals/${id}`)).json()) as {
      status: string;
      provider: string;
      progress: { done: number; total: number };
    };
    expect(stored).toMatchObject({
      status: 'succeeded',
      provider: 'local',
      progress: { done: 2, total: 2 },
    });

    const briefed = await parallax(
      ['brief', join(folder, 'dam.md'), '--provider', 'local', '--server', url],
      { env: clientEnv },
    );
    expect(briefed.code).toBe(0);
    expect(briefed.stdout.split('\n')[1]).toMatch(/ · local\/analyst-3 · /);
  });

  it('follows a brief again when its event stream breaks before the outcome, also past a 502 from a proxy', async () => {
    // A real brief's view, served by a scripted server whose event stream breaks twice.
    const t = await createTestApp({ LLM_PROVIDER: 'local' });
    const made = BriefView.parse(
      await (
        await t.postJson({
          text: 'The Agency said the dam is safe. Residents were not asked.',
          title: 'Dam',
        })
      ).json(),
    );
    await t.close();
    const running = { ...made, status: 'running', brief: null, finishedAt: null };
    let streams = 0;
    let reads = 0;
    const fake = createServer((request, response) => {
      const send = (status: number, body: unknown) =>
        response
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify(body));
      if (request.method === 'POST') return send(202, running);
      if (request.url?.endsWith('/events')) {
        streams++;
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(
          `event: status\ndata: ${JSON.stringify({ type: 'status', id: made.id, status: 'running', chunks: 2 })}\n\n`,
        );
        return setTimeout(() => response.socket?.destroy(), 50); // a proxy's idle timeout, say
      }
      if (request.url?.startsWith('/v1/documents/'))
        return send(200, { id: made.document.id, title: 'Dam', pageMap: null });
      // Running; a proxy's 502 (the server restarting behind it); running; then the outcome.
      reads++;
      if (reads === 2)
        return send(502, {
          error: { code: 'internal', message: 'Bad gateway', requestId: 'proxy' },
        });
      send(200, reads < 4 ? running : made);
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
      const run = await parallax(['brief', '-', '--server', url], {
        input: 'The Agency said the dam is safe. Residents were not asked.',
      });
      expect(run.stderr).toMatch(/0\/2 chunks/);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(made.brief!.headline);
      expect(streams).toBe(4);
      expect(reads).toBe(4);
    } finally {
      await new Promise((resolve) => fake.close(resolve));
    }
  });

  it('says the server cannot be reached and exits 1', async () => {
    const run = await parallax(['prompts', '--server', 'http://127.0.0.1:9']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /cannot reach the server at http:\/\/127\.0\.0\.1:9 .*parallax serve/,
    );
  });
});
