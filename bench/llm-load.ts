/**
 * Load benchmark of the LLM client against the scripted test server (in a child process):
 * N requests/min for M minutes with injected 500s and 429s. Reports the most attempts started in any 10-second
 * window against the configured rate, requests lost, retries, and the client's overhead per request (CPU time
 * of this process per request, and median latency through the client vs bare fetch at the same server).
 *
 *   node --import @callthemes/common/register-source bench/llm-load.ts [--rpm 2000] [--minutes 2] [--concurrency 32] [--fail-500 0.01] [--fail-429 0.01]
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type HttpFetch, httpFetch, LlmClient, TokenLedger } from '@callthemes/common/llm';
import { numberFlag } from './number-flag.js';

const rpm = numberFlag('rpm', 2000);
const minutes = numberFlag('minutes', 2);
const concurrency = numberFlag('concurrency', 32);
const fail500 = numberFlag('fail-500', 0.01);
const fail429 = numberFlag('fail-429', 0.01);
const latencyMs = numberFlag('latency-ms', 20);

const child = spawn(
  process.execPath,
  [
    '--import',
    '@callthemes/common/register-source',
    'bench/scripted-server-main.ts',
    '--latency-ms',
    String(latencyMs),
    '--fail-500',
    String(fail500),
    '--fail-429',
    String(fail429),
  ],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const url: string = await new Promise((resolve) => {
  createInterface({ input: child.stdout! }).once('line', resolve);
});

const starts: number[] = [];
const countingFetch: HttpFetch = (input, init) => {
  starts.push(performance.now());
  return httpFetch(input, init);
};
const ledger = new TokenLedger();
let retries = 0;
const client = new LlmClient({
  baseUrl: url,
  model: 'load-test',
  limits: { requestsPerMinute: rpm, tokensPerMinute: 100_000_000, maxConcurrent: concurrency },
  retry: { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 2000 },
  timeoutMs: 10_000,
  ledger,
  fetch: countingFetch,
  onRetry: () => {
    retries++;
  },
});

const total = Math.round(rpm * minutes);
process.stderr.write(
  `load: ${total} requests at ${rpm}/min, concurrency ${concurrency}, faults 500 ${fail500} 429 ${fail429}\n`,
);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let ok = 0;
let lost = 0;
const calls = Array.from({ length: total }, (_, i) =>
  client.chat([{ role: 'user', content: `request ${i}` }], { stage: 'load' }, { maxTokens: 8 }).then(
    () => {
      ok++;
    },
    (err) => {
      lost++;
      process.stderr.write(`lost request ${i}: ${(err as Error).message}\n`);
    },
  ),
);
await Promise.all(calls);
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);

// Most attempt starts in any 10 s window (sliding: each start opens a window).
starts.sort((a, b) => a - b);
let maxWindow = 0;
for (let i = 0, j = 0; i < starts.length; i++) {
  while (j < starts.length && starts[j] < starts[i] + 10_000) j++;
  maxWindow = Math.max(maxWindow, j - i);
}
const allowed = (rpm * 10) / 60;

// Overhead: the same server, no faults on this path: bare fetch vs the client, sequentially.
/** Median latency and mean CPU ms of this process per call, over n sequential calls. */
async function median(n: number, fn: (i: number) => Promise<unknown>): Promise<{ ms: number; cpu: number }> {
  const xs: number[] = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await fn(i);
    xs.push(performance.now() - s);
  }
  const c = process.cpuUsage(c0);
  xs.sort((a, b) => a - b);
  return { ms: xs[Math.floor(n / 2)], cpu: (c.user + c.system) / 1000 / n };
}
child.kill('SIGTERM');
const quiet = spawn(
  process.execPath,
  ['--import', '@callthemes/common/register-source', 'bench/scripted-server-main.ts', '--latency-ms', '0'],
  {
    stdio: ['pipe', 'pipe', 'inherit'],
  },
);
const quietUrl: string = await new Promise((resolve) => {
  createInterface({ input: quiet.stdout! }).once('line', resolve);
});
const direct = new LlmClient({
  baseUrl: quietUrl,
  model: 'overhead',
  limits: { requestsPerMinute: 1_000_000, tokensPerMinute: 1e12, maxConcurrent: 1 },
});
const body = (i: number) =>
  JSON.stringify({ model: 'overhead', messages: [{ role: 'user', content: `o ${i}` }], max_tokens: 8 });
const runs: { bare: { ms: number; cpu: number }; client: { ms: number; cpu: number } }[] = [];
for (let r = 0; r < 5; r++) {
  const bare = await median(200, (i) =>
    fetch(`${quietUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(i),
    }).then((x) => x.text()),
  );
  const viaClient = await median(200, (i) =>
    direct.chat([{ role: 'user', content: `o ${i}` }], { stage: 'o' }),
  );
  runs.push({ bare, client: viaClient });
}
quiet.stdin?.end();
quiet.kill('SIGTERM');
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const bareMs = med(runs.map((r) => r.bare.ms));
const clientMs = med(runs.map((r) => r.client.ms));
const bareCpu = med(runs.map((r) => r.bare.cpu));
const clientCpu = med(runs.map((r) => r.client.cpu));

const t = ledger.totals();
const result = {
  configured_rpm: rpm,
  minutes,
  requests: total,
  completed: ok,
  lost,
  attempts: starts.length,
  retries,
  failed_attempts: t.failedRequests,
  wall_s: +wall.toFixed(1),
  achieved_rpm: +((ok / wall) * 60).toFixed(0),
  max_starts_in_10s: maxWindow,
  allowed_in_10s: +allowed.toFixed(1),
  max_over_rate_pct: +(((maxWindow - allowed) / allowed) * 100).toFixed(2),
  client_cpu_ms_per_request: +((cpu.user + cpu.system) / 1000 / starts.length).toFixed(3),
  median_latency_bare_fetch_ms: +bareMs.toFixed(3),
  median_latency_client_ms: +clientMs.toFixed(3),
  client_overhead_ms: +(clientMs - bareMs).toFixed(3),
  cpu_ms_per_call_bare_fetch: +bareCpu.toFixed(3),
  cpu_ms_per_call_client: +clientCpu.toFixed(3),
};
console.log(JSON.stringify(result, null, 2));
await client.close();
await direct.close();
process.exit(0);
