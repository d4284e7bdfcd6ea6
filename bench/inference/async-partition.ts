/**
 * A partition of real firms through the SageMaker async adapter, against the stand-in runtime backed by the
 * offline adapter with an injected async latency (default 5 s): invocations per firm, tokens per firm, and the
 * worker's CPU busy share (process.cpuUsage() over wall time) while invocations wait. The firm pipeline is the
 * firm worker's: embed (+ classify in the same invocation) → topics → names → sentence labels, with
 * --concurrency firms in flight so CPU work of some firms overlaps the seconds others wait. Two batchings:
 * `firm` (sub-requests leave within 50 ms: a firm's embed + classify share an invocation) and `partition`
 * (a 1.5 s window: concurrent firms share invocations). Baseline, same process: the offline adapter in process.
 *
 *   node --import @callthemes/common/register-source bench/inference/async-partition.ts \
 *     [--source motley-json --quarter 2021Q2] [--firms 50] [--latency-ms 5000] [--concurrency 25] [--runs 3]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  type ComposedInference,
  createOfflineInference,
  createSageMakerInference,
} from '@callthemes/common/inference';
import { namersFor } from '@callthemes/common/naming';
import { createTopicAnalyzer } from '@callthemes/common/topics';
import { type BenchFirm, benchArgs, loadQuarter, printTable, quantile } from '../common.js';

const args = benchArgs({
  'latency-ms': { type: 'string', default: '5000' },
  concurrency: { type: 'string', default: '25' },
  runs: { type: 'string', default: '3' },
});
const latencyMs = Number(args.values['latency-ms']);
const concurrency = Number(args.values.concurrency);
const runs = Number(args.values.runs);
const firms = await loadQuarter(args.source, args.input, args.quarter, args.firms ?? 50);

const backend = spawn(
  process.execPath,
  [
    ...process.execArgv,
    fileURLToPath(new URL('./async-backend.ts', import.meta.url)),
    '--latency-ms',
    String(latencyMs),
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const ready = await new Promise<{ standin: string; s3: string; bucket: string }>((resolve, reject) => {
  let out = '';
  backend.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    const m = /READY (.*)\n/.exec(out);
    if (m) resolve(JSON.parse(m[1]));
  });
  backend.once('exit', (code) => reject(new Error(`backend exited with ${code}`)));
});

interface Result {
  wall: number;
  cpu: number;
  /** Event-loop utilisation: the share of wall time the loop was not idle (robust to a shared machine's load). */
  elu: number;
  invocations: number;
  reused: number;
  tokens: number;
  names: { llm: number; other: number };
  rejects: number;
}

/** The firm worker's per-firm pipeline over `inf`, `concurrency` firms at a time. */
async function partition(inf: ComposedInference, list: readonly BenchFirm[]): Promise<Result> {
  const svc = { ...namersFor(inf), embedder: inf.embedder, classifier: inf.classifier };
  const analyzer = createTopicAnalyzer({ embedder: svc.embedder, namer: svc.topicNamer });
  const names = { llm: 0, other: 0 };
  let rejects = 0;
  let next = 0;
  const c0 = process.cpuUsage();
  const e0 = performance.eventLoopUtilization();
  const w0 = performance.now();
  const lane = async () => {
    while (next < list.length) {
      const f = list[next++];
      try {
        const a = await analyzer(f.transcript, f.sentences);
        const labels = await svc.classifier.classify(f.texts);
        if (labels.length !== f.texts.length) throw new Error('label count');
        for (const t of a.topicRows) names[t.name_source === 'llm' ? 'llm' : 'other']++;
      } catch (err) {
        rejects++;
        console.error(`${f.transcript.firmId}: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const cpu = process.cpuUsage(c0);
  const elu = performance.eventLoopUtilization(e0).utilization;
  const t = inf.ledger.totals();
  const stats = (inf as { invoker?: { stats: { invocations: number; reused: number } } }).invoker?.stats;
  return {
    wall: (performance.now() - w0) / 1000,
    cpu: (cpu.user + cpu.system) / 1e6,
    elu,
    invocations: stats?.invocations ?? 0,
    reused: stats?.reused ?? 0,
    tokens: t.promptTokens + t.completionTokens,
    names,
    rejects,
  };
}

// The adapter builds its SDK clients from the standard variables, as a worker in a container does.
Object.assign(process.env, {
  AWS_ENDPOINT_URL_S3: ready.s3,
  AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: ready.standin,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
  CALLTHEMES_S3_FORCE_PATH_STYLE: 'true',
});
let endpoint = 0;
function sagemaker(batching: 'firm' | 'partition'): ComposedInference {
  return createSageMakerInference({
    endpointName: `bench-${endpoint++}`,
    bucket: ready.bucket,
    models: { chat: 'keyword-chat', embed: 'sif-wink-sg-100d', classify: 'lexicon-finbert-standin' },
    maxInFlight: 2 * concurrency,
    coalesceMs: batching === 'firm' ? 50 : 1500,
    maxRequestsPerInvocation: batching === 'firm' ? 64 : 256,
    poll: { firstMs: 250, maxMs: 1000, factor: 1.5 },
    coldStartMs: 60_000,
    invocationTimeoutSeconds: 120,
  });
}

const nSentences = firms.reduce((s, f) => s + f.sentences.length, 0);
const load = (await import('node:os')).loadavg()[0];
console.log(
  `async partition: ${firms.length} firms (${args.source} ${args.quarter}, ${nSentences} sentences), ` +
    `latency ${latencyMs} ms per invocation, ${concurrency} firms in flight, ${runs} runs (median); ` +
    `machine load ${load.toFixed(1)} on ${(await import('node:os')).availableParallelism()} cores`,
);
// Warm-up (JIT, word vectors) on the baseline, then alternate the variants run by run.
const offline = createOfflineInference();
await partition(offline, firms.slice(0, 3));
const variants = [
  'offline (in process)',
  'sagemaker, firm batching',
  'sagemaker, partition batching',
] as const;
const results = new Map<string, Result[]>(variants.map((v) => [v, []]));
for (let r = 0; r < runs; r++) {
  results.get(variants[0])!.push(await partition(offline, firms));
  for (const [v, b] of [
    [variants[1], 'firm'],
    [variants[2], 'partition'],
  ] as const) {
    const inf = sagemaker(b);
    results.get(v)!.push(await partition(inf, firms));
    await inf.close();
  }
}
backend.kill('SIGTERM');

const med = (xs: number[]) => quantile(xs, 0.5);
const base = med(results.get(variants[0])!.map((x) => x.cpu));
// On a shared machine the CPU a process gets is capped by the others: the offline run shows that cap.
const baseShare = med(results.get(variants[0])!.map((x) => x.cpu / x.wall));
printTable(
  [
    'variant',
    'wall s',
    'CPU s',
    'CPU busy share',
    'busy vs offline',
    'event loop busy',
    'CPU vs offline',
    'invocations / firm',
    'tokens / firm',
    'LLM names',
    'rejects',
  ],
  variants.map((v) => {
    const rs = results.get(v)!;
    const wall = med(rs.map((x) => x.wall));
    const cpu = med(rs.map((x) => x.cpu));
    return [
      v,
      wall,
      cpu,
      `${(100 * med(rs.map((x) => x.cpu / x.wall))).toFixed(1)}%`,
      `${(100 * (med(rs.map((x) => x.cpu / x.wall)) / baseShare)).toFixed(0)}%`,
      `${(100 * med(rs.map((x) => x.elu))).toFixed(1)}%`,
      `${(cpu / base).toFixed(2)}×`,
      med(rs.map((x) => x.invocations / firms.length)),
      med(rs.map((x) => x.tokens / firms.length)),
      `${rs[0].names.llm} / ${rs[0].names.llm + rs[0].names.other}`,
      rs[0].rejects,
    ];
  }),
);
