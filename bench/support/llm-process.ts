/**
 * The test LLM server (test/support/llm-server.ts) in a process of its own, for benches where
 * its CPU must not be counted as the app's: answers after LATENCY_MS, and prints its URL.
 * Started with `startChild` (bench/support/child.ts).
 */
import { startLlmServer } from '../../test/support/llm-server.js';

const llm = await startLlmServer({ latencyMs: Number(process.env.LATENCY_MS ?? 0) });
console.log(`test LLM server at ${llm.url}`);
