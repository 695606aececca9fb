import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BriefView } from '../src/briefs/view.js';
import { buildCli, COMPILED_CLI, type CliRun, runParallax } from './support/cli.js';

/**
 * The compiled `parallax` command (bin/parallax.mjs → dist/cli/main.js), as `npm install`
 * leaves it: its version, its help, what it loads for each command, and a brief through it
 * against a server it started itself.
 */
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
let dir: string;
let server: { process: ChildProcess; url: string } | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'parallax-cli-fast-'));
  buildCli();
}, 300_000);
afterAll(() => {
  server?.process.kill();
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ DATABASE_PATH: join(dir, 'local.sqlite'), LLM_PROVIDER: 'local' });
const parallax = (args: string[], extra: Record<string, string> = {}): Promise<CliRun> =>
  runParallax(args, { env: { ...env(), ...extra }, compiled: true });

/** The project's own modules (not node_modules) that one run of the command loaded. */
async function loadedModules(args: string[]): Promise<string[]> {
  const run = await parallax(args, { NODE_DEBUG: 'esm' });
  const root = pathToFileURL(resolve('.')).href;
  const urls = [...run.stderr.matchAll(/Storing (file:\S+)/g)].map((match) => match[1]!);
  return [...new Set(urls)]
    .filter((url) => url.startsWith(`${root}/`) && !url.includes('/node_modules/'))
    .map((url) => url.slice(root.length + 1));
}

/** `parallax serve --port 0` from dist/, resolved with its URL once it logs that it listens. */
function startCompiledServer(): Promise<{ process: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [COMPILED_CLI, 'serve', '--port', '0'], {
    env: { ...process.env, DATABASE_PATH: join(dir, 'server.sqlite'), LLM_PROVIDER: 'local' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
    lines.on('line', (line) => {
      const url = /"message":"parallax listening".*"url":"([^"]+)"/.exec(line)?.[1];
      if (url) resolve({ process: child, url });
    });
  });
}

describe('the compiled parallax command', () => {
  it('is built: the CLI and the client with its declarations', () => {
    for (const file of ['dist/cli/main.js', 'dist/client/index.js', 'dist/client/index.d.ts'])
      expect(existsSync(file), file).toBe(true);
  });

  it('prints the version of package.json with --version and -v', async () => {
    for (const flag of ['--version', '-v'])
      expect(await parallax([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('lists every command in --help, and each answers its own --help', async () => {
    const help = await parallax(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    const names = [...help.stdout.matchAll(/^ {2}([a-z]+) {2,}\S/gm)].map((match) => match[1]!);
    expect(names).toEqual(expect.arrayContaining(['serve', 'brief', 'briefs', 'compare', 'seed']));
    const usages = await Promise.all(names.map((name) => parallax([name, '--help'])));
    usages.forEach((run, index) => {
      expect(run.code, names[index]).toBe(0);
      expect(run.stdout.startsWith(`parallax ${names[index]} `), run.stdout).toBe(true);
    });
    expect((await parallax(['help', 'brief'])).stdout).toBe(usages[names.indexOf('brief')]!.stdout);
  });

  it('loads no command for --help and --version, and only the called one otherwise', async () => {
    const launcher = [COMPILED_CLI, 'dist/cli/main.js', 'package.json'];
    expect(await loadedModules(['--help'])).toEqual(launcher);
    expect(await loadedModules(['--version'])).toEqual(launcher);
    const brief = await loadedModules(['brief', '--help']);
    expect(brief).toContain('dist/cli/brief.js');
    expect(brief).not.toContain('dist/cli/compare.js');
    // The server's code loads only for a command on the local database (or the server itself).
    expect(brief).not.toContain('dist/runtime-node.js');
    expect(await loadedModules(['serve', '--help'])).not.toContain('dist/runtime-node.js');
    expect(await loadedModules(['prompts'])).toContain('dist/runtime-node.js');
  });

  it('exports the typed client as the package', async () => {
    const run = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('parallax/client'); console.log(typeof m.createParallaxClient, import.meta.resolve('parallax'))",
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    run.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await new Promise((resolve) => run.once('close', resolve));
    expect(out.trim()).toBe(`function ${pathToFileURL(resolve('dist/client/index.js')).href}`);
  });
});

describe('the compiled parallax command against a running server', () => {
  beforeAll(async () => {
    server = await startCompiledServer();
  }, 60_000);

  it('briefs a seed over HTTP, the brief then stored on the server', async () => {
    const args = ['brief', 'seeds/rent-cap-speech.md', '--prompt', 'brief@1'];
    const text = await parallax([...args, '--server', server!.url]);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[1]).toMatch(/^rent-cap-speech · brief@1 · local\/\S+ · /);

    const json = await parallax([...args, '--json', '--server', server!.url]);
    const view = BriefView.parse(JSON.parse(json.stdout));
    expect(view).toMatchObject({ status: 'succeeded', cached: true });
    const stored = await fetch(`${server!.url}/v1/briefs/${view.id}`);
    expect(((await stored.json()) as { id: string }).id).toBe(view.id);
    // Nothing went to the local database: no brief there.
    const local = await parallax(['briefs', '--json']);
    expect(JSON.parse(local.stdout)).toEqual([]);
  });

  it('reaches a server without loading the server code', async () => {
    const modules = await loadedModules(['prompts', '--server', server!.url]);
    expect(modules).toContain('dist/client/index.js');
    expect(modules).not.toContain('dist/runtime-node.js');
  });

  it("hints at compare's own --run flag, not the API's run=true", async () => {
    const listed = BriefView.array().parse(
      JSON.parse((await parallax(['briefs', '--json', '--server', server!.url])).stdout),
    );
    const document = listed[0]!.document.id;
    const run = await parallax([
      'compare',
      '--document',
      document,
      '--a',
      'brief@1',
      '--b',
      'brief@2',
      '--server',
      server!.url,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/brief@2.*add --run to brief it first/);
    expect(run.stderr).not.toContain('run=true');
  });
});
