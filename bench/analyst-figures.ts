/**
 * analyst_mb_per_s, the scaling exponent and peak RSS of the offline analyst: bench/analyst.ts
 * run as it is (`npm run bench:analyst`), in its own process so its peak RSS is its own, with
 * its printed lines parsed. Its own limits (1 MB within 3 s, peak RSS within 400 MB) are the targets.
 */
import { spawn } from 'node:child_process';
import type { Figure } from './support/figure.js';

const TIMEOUT_MS = 240_000;

export async function analystFigures(): Promise<Figure[]> {
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/analyst.ts'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString()));
    child.stderr.on('data', (data: Buffer) => (output += data.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
  const sizes = [...output.matchAll(/^\s*([\d.]+) MB\s+([\d.]+) s\s+([\d.]+) MB\/s/gm)].map(
    (m) => ({ mb: Number(m[1]), seconds: Number(m[2]), mbPerS: Number(m[3]) }),
  );
  const exponent = Number(/scaling exponent ([\d.-]+)/.exec(output)?.[1] ?? NaN);
  const peak = Number(/peak RSS (\d+) MB/.exec(output)?.[1] ?? NaN);
  const oneMb = sizes.find((s) => s.mb === 1);
  const note =
    code === 0
      ? undefined
      : `bench/analyst.ts exited with ${code}: ${output
          .split('\n')
          .filter((l) => /FAIL|Error/.test(l))
          .join(' ')}`;
  return [
    {
      key: 'analyst_mb_per_s',
      value: oneMb?.mbPerS ?? NaN,
      unit: 'MB/s',
      target: { op: '>=', value: 1 / 3 },
      details: { sizes },
      ...(note ? { note } : {}),
    },
    {
      key: 'analyst_scaling_exponent',
      value: exponent,
      details: { over: sizes.map((s) => `${s.mb} MB`) },
    },
    { key: 'analyst_peak_rss_mb', value: peak, unit: 'MB', target: { op: '<=', value: 400 } },
  ];
}
