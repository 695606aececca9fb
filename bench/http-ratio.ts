/**
 * cached_read_ratio and cached_post_ratio: requests/s of the real server (src/node.ts, its own
 * process, SQLite on a temp file) for GET /v1/briefs/:id and for a POST of an already-briefed
 * document, each divided by requests/s of a bare Hono app on the same @hono/node-server serving
 * the same JSON from memory with `c.json` (bench/bare-server.ts, its own process). autocannon
 * drives both from this process on 127.0.0.1.
 *
 * Method, because these machines change speed by up to 2x within seconds (other tenants):
 * - the servers run on one core and this process (autocannon) on the other, so neither steals
 *   the other's CPU and both sides get the same conditions;
 * - each round measures real, bare, bare, real in short bursts, so a drift in machine speed
 *   during the round weighs on both sides alike; a figure is the median of the rounds' ratios.
 *
 * Not measured: a static response of pre-encoded bytes. It answers ~20k requests/s here, which
 * is about what autocannon on one core can send, so such a ratio would measure the load
 * generator, not the server.
 */
import autocannon from 'autocannon';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuPair, pinnedTo, startChild } from './support/child.js';
import { median, round, type Figure } from './support/figure.js';

const ROUNDS = 7;
/** Length of one burst; a round is four of them. */
const SECONDS = 1.5;
const WARM_UP_SECONDS = 2;
const CONNECTIONS = 10;

interface Load {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
}

/** The two servers a round compares, for one kind of request. */
interface Sides {
  real: Load;
  bare: Load;
}

export function httpRatios(): Promise<Figure[]> {
  const cpus = cpuPair();
  return pinnedTo(cpus?.[0], () => measureRatios(cpus?.[1]));
}

/** `serverCpu`: the core the servers run on, this process (the load generator) on another; undefined: no pinning. */
async function measureRatios(serverCpu: number | undefined): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'parallax-bench-http-'));
  // LOG_LEVEL info, as deployed: the server writes its access-log line for every request (the bare app logs nothing).
  const real = await startChild(
    'src/node.ts',
    {
      PORT: '0',
      LLM_PROVIDER: 'local',
      LOG_LEVEL: 'info',
      DATABASE_PATH: join(dir, 'bench.sqlite'),
    },
    serverCpu === undefined ? {} : { cpu: serverCpu },
  );
  try {
    const text = readFileSync('seeds/rail-link-op-ed.md', 'utf8');
    const post = JSON.stringify({ text, title: 'Rail link op-ed' });
    const created = await fetch(`${real.url}/v1/briefs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: post,
    });
    if (created.status !== 201)
      throw new Error(`http bench: first POST answered ${created.status}`);
    const { id } = (await created.json()) as { id: string };
    const json = await (await fetch(`${real.url}/v1/briefs/${id}`)).text();
    writeFileSync(join(dir, 'brief.json'), json);
    const bare = await startChild(
      'bench/bare-server.ts',
      { BARE_JSON_PATH: join(dir, 'brief.json') },
      serverCpu === undefined ? {} : { cpu: serverCpu },
    );
    try {
      const get: Sides = {
        real: { url: `${real.url}/v1/briefs/${id}`, method: 'GET' },
        bare: { url: `${bare.url}/brief`, method: 'GET' },
      };
      const postSides: Sides = {
        real: { url: `${real.url}/v1/briefs`, method: 'POST', body: post },
        bare: { url: `${bare.url}/brief`, method: 'POST', body: post },
      };
      for (const load of [get, postSides].flatMap((sides) => Object.values(sides)))
        await measure(load, WARM_UP_SECONDS); // JIT, SQLite page cache
      const rounds = { get: [] as Round[], post: [] as Round[] };
      for (let r = 0; r < ROUNDS; r++) {
        rounds.get.push(await measureRound(get));
        rounds.post.push(await measureRound(postSides));
      }
      const common = {
        responseBytes: json.length,
        connections: CONNECTIONS,
        secondsPerBurst: SECONDS,
        rounds: ROUNDS,
        pinned: serverCpu !== undefined,
      };
      return [
        figure('cached_read_ratio', rounds.get, common, 0.8),
        {
          ...figure('cached_post_ratio', rounds.post, common, 0.5),
          note: `POST body ${post.length} bytes`,
        },
      ];
    } finally {
      await bare.stop();
    }
  } finally {
    await real.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Measured {
  rps: number;
  p50: number;
  p99: number;
}

/** One round: each side's mean of its two bursts. */
type Round = Record<keyof Sides, Measured>;

/** real, bare, bare, real. */
async function measureRound(sides: Sides): Promise<Round> {
  const bursts: Record<keyof Sides, Measured[]> = { real: [], bare: [] };
  for (const side of ['real', 'bare', 'bare', 'real'] as const)
    bursts[side].push(await measure(sides[side], SECONDS));
  const mean = ([x, y]: Measured[]): Measured => ({
    rps: (x!.rps + y!.rps) / 2,
    p50: (x!.p50 + y!.p50) / 2,
    p99: (x!.p99 + y!.p99) / 2,
  });
  return { real: mean(bursts.real), bare: mean(bursts.bare) };
}

function figure(
  key: string,
  rounds: Round[],
  common: Record<string, unknown>,
  target: number,
): Figure {
  return {
    key,
    value: round(median(rounds.map((r) => r.real.rps / r.bare.rps))),
    target: { op: '>=', value: target },
    details: {
      rps: {
        real: round(median(rounds.map((r) => r.real.rps)), 0),
        bare: round(median(rounds.map((r) => r.bare.rps)), 0),
      },
      p50Ms: {
        real: median(rounds.map((r) => r.real.p50)),
        bare: median(rounds.map((r) => r.bare.p50)),
      },
      p99Ms: {
        real: median(rounds.map((r) => r.real.p99)),
        bare: median(rounds.map((r) => r.bare.p99)),
      },
      perRound: rounds.map((r) => round(r.real.rps / r.bare.rps)),
      ...common,
    },
  };
}

async function measure(load: Load, seconds: number): Promise<Measured> {
  const result = await autocannon({
    url: load.url,
    method: load.method,
    ...(load.body ? { body: load.body, headers: { 'content-type': 'application/json' } } : {}),
    connections: CONNECTIONS,
    duration: seconds,
  });
  if (result.errors > 0 || result.non2xx > 0)
    throw new Error(
      `http bench: ${load.method} ${load.url}: ${result.errors} errors, ${result.non2xx} non-2xx`,
    );
  // Requests over the burst's measured length: `requests.average` is a mean of whole-second samples.
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}
