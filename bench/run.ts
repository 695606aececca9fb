/**
 * The benchmark suite (`npm run bench`): every figure of issue #8, measured in one run, printed
 * as a table and written to bench/results.json. Exits 1 when a gated figure misses its target.
 * Bounded: every loop has a count and a deadline; loopback only; about 3 minutes on 2 cores.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { startLlmServer } from '../test/support/llm-server.js';
import { analystFigures } from './analyst-figures.js';
import { cliFigures } from './cli.js';
import { criticalPath, fastModelPath } from './critical-path.js';
import { headOfLine } from './head-of-line.js';
import { httpRatios } from './http-ratio.js';
import { incremental } from './incremental.js';
import { idleRss } from './memory.js';
import { ownCpu } from './own-cpu.js';
import { singleFlight } from './single-flight.js';
import { passes, type Figure } from './support/figure.js';
import { tokenOverhead } from './token-overhead.js';
import { workerSize } from './worker-size.js';

const WHOLE_RUN_MS = 10 * 60_000;

async function main(): Promise<void> {
  const watchdog = setTimeout(() => {
    console.error('bench: the whole run passed 10 minutes; stopping');
    process.exit(2);
  }, WHOLE_RUN_MS);
  watchdog.unref();
  const started = performance.now();
  const figures: Figure[] = [];
  const step = async (name: string, measure: () => Promise<Figure | Figure[]>) => {
    const t0 = performance.now();
    process.stderr.write(`bench: ${name}…`);
    const result = await measure();
    figures.push(...(Array.isArray(result) ? result : [result]));
    process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  };

  const llm = await startLlmServer();
  try {
    await step('critical path (C = 1, 4, 16)', () => criticalPath(llm));
    await step('critical path, fast model (L = 100 ms)', fastModelPath);
    await step('own CPU per MB', () => ownCpu(llm));
    await step('head of line (C = 4)', () => headOfLine(llm));
    await step('single-flight', () => singleFlight(llm));
    await step('token overhead', () => tokenOverhead(llm));
    await step('incremental re-brief', () => incremental(llm));
  } finally {
    await llm.close();
  }
  await step('cached read and post (autocannon)', httpRatios);
  await step('server RSS', idleRss);
  await step('offline analyst', analystFigures);
  await step('CLI: --help, a seed brief (compiled)', cliFigures);
  await step('Worker bundle (wrangler deploy --dry-run)', workerSize);

  const results = {
    date: new Date().toISOString(),
    machine: {
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      platform: process.platform,
    },
    seconds: Math.round((performance.now() - started) / 1000),
    pass: figures.every((figure) => passes(figure) !== false),
    figures: Object.fromEntries(
      figures.map(({ key, ...rest }) => [key, { ...rest, pass: passes({ key, ...rest }) }]),
    ),
  };
  writeFileSync(new URL('results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  console.log(table(figures));
  console.log(
    `\n${results.date} · ${results.machine.cores} cores · Node ${results.machine.node} · ${results.seconds} s · written to bench/results.json`,
  );
  const misses = figures.filter((figure) => passes(figure) === false);
  if (misses.length > 0) {
    console.error(`\nMISS: ${misses.map((figure) => figure.key).join(', ')}`);
    process.exit(1);
  }
}

function table(figures: Figure[]): string {
  const rows = figures.map((figure) => {
    const ok = passes(figure);
    const target = figure.target
      ? `${figure.target.op} ${Number(figure.target.value.toFixed(3))}`
      : '—';
    return `| ${figure.key} | ${figure.value}${figure.unit ? ` ${figure.unit}` : ''} | ${target} | ${ok === null ? 'reported' : ok ? 'pass' : 'MISS'} | ${figure.note ?? ''} |`;
  });
  return ['| figure | value | target | result | note |', '|---|---:|---|---|---|', ...rows].join(
    '\n',
  );
}

await main();
