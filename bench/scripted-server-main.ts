/**
 * Runs the OpenAI-compatible TEST SERVER in its own process for benchmarks (so the client's CPU is measured
 * alone). Answers after `--latency-ms`; a fraction of answers are faults: 500s, and 429s with Retry-After.
 * Prints its base URL on the first line of stdout; exits when stdin closes.
 */
import { OpenAiTestServer } from '@callthemes/common/testing/openai-test-server';
import { numberFlag } from './number-flag.js';

const latencyMs = numberFlag('latency-ms', 20);
const fail500 = numberFlag('fail-500', 0);
const fail429 = numberFlag('fail-429', 0);
let seed = 12345;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};

const server = await OpenAiTestServer.start(() => {
  const r = random();
  if (r < fail500) return { status: 500, body: '{"error":"injected"}', delayMs: latencyMs };
  if (r < fail500 + fail429)
    return { status: 429, body: '{"error":"injected"}', headers: { 'retry-after-ms': '200' }, delayMs: 2 };
  return { chat: '{"ok":true}', usage: { prompt: 120, completion: 8 }, delayMs: latencyMs };
});
process.stdout.write(`${server.url}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await server.close();
  process.exit(0);
});
