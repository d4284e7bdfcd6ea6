/**
 * Speed harness: seconds per firm for full calls, split into embed / reduce / cluster / keywords / name, p50 and
 * p90 over firms, each firm's time the median of --repeats passes. CPU seconds (this process, one thread) are the
 * headline because the machine is shared; wall seconds are printed beside them.
 *
 *   node --import @callthemes/common/register-source bench/firm/run.ts --source motley-json --quarter 2021Q2 [--firms N] [--repeats 3]
 *     [--ab-embed-text]   also time each firm with whole sentences embedded (embedText 'full'), alternated with
 *                         the default in this process, and print the per-firm CPU ratio default / full
 */
import { SifEmbedder } from '@callthemes/common/embed';
import { createTopicAnalyzer, type FirmTimings } from '@callthemes/common/topics';
import { benchArgs, loadQuarter, printTable, quantile } from '../common.js';

const args = benchArgs({
  repeats: { type: 'string', default: '3' },
  'ab-embed-text': { type: 'boolean', default: false },
});
const repeats = Number(args.values.repeats);
const c0 = process.cpuUsage();
const l0 = performance.now();
const embedder = SifEmbedder.load();
const loadCpu = process.cpuUsage(c0);
const loadWall = (performance.now() - l0) / 1000;
const firms = await loadQuarter(args.source, args.input, args.quarter, args.firms);

type Step = 'embed' | 'reduce' | 'cluster' | 'keywords' | 'name';
const STEPS: Step[] = ['embed', 'reduce', 'cluster', 'keywords', 'name'];
// per firm, per pass: step seconds, total CPU and wall seconds
const runs = firms.map(() => [] as { steps: FirmTimings; cpu: number; wall: number }[]);
let last: FirmTimings | null = null;
const analyzer = createTopicAnalyzer({
  embedder,
  model: args.model,
  onTimings: (t) => {
    last = t;
  },
});
// One warm-up firm so the JIT has compiled the hot loops before anything is timed.
await analyzer(firms[0].transcript, firms[0].sentences);
for (let r = 0; r < repeats; r++) {
  for (const [i, f] of firms.entries()) {
    const c = process.cpuUsage();
    const w = performance.now();
    await analyzer(f.transcript, f.sentences);
    const cpu = process.cpuUsage(c);
    runs[i].push({ steps: last!, cpu: (cpu.user + cpu.system) / 1e6, wall: (performance.now() - w) / 1000 });
  }
}
const median = (xs: number[]) => quantile(xs, 0.5);
const perFirm = runs.map((rs) => ({
  cpu: median(rs.map((r) => r.cpu)),
  wall: median(rs.map((r) => r.wall)),
  steps: Object.fromEntries(STEPS.map((s) => [s, median(rs.map((r) => r.steps[s]))])) as Record<Step, number>,
  n: rs[0].steps.nSentences,
  topics: rs[0].steps.nTopics,
}));
console.log(
  `speed ${args.source} ${args.quarter}: ${firms.length} firms, sentences/firm p50 ${quantile(
    perFirm.map((f) => f.n),
    0.5,
  )}, ${repeats} passes (median per firm); word vectors loaded in ${loadWall.toFixed(2)} s wall / ${(
    (loadCpu.user + loadCpu.system) / 1e6
  ).toFixed(2)} s CPU`,
);
printTable(
  ['per firm', 'p50 s', 'p90 s', 'mean s'],
  [
    ['total (CPU)', ...stats(perFirm.map((f) => f.cpu))],
    ['total (wall)', ...stats(perFirm.map((f) => f.wall))],
    ...STEPS.map((s) => [`  ${s} (wall)`, ...stats(perFirm.map((f) => f.steps[s]))]),
  ],
);

if (args.values['ab-embed-text']) {
  // This firm-stage change alone: the same firms, the default (sentences without the call's stop words
  // for SIF) and whole sentences, alternated per firm so both see the same machine.
  const full = createTopicAnalyzer({ embedder, model: args.model, embedText: 'full' });
  await full(firms[0].transcript, firms[0].sentences);
  const cpuOf = async (a: typeof analyzer, f: (typeof firms)[number]) => {
    const c = process.cpuUsage();
    await a(f.transcript, f.sentences);
    const u = process.cpuUsage(c);
    return (u.user + u.system) / 1e6;
  };
  const ratios: number[] = [];
  const sums = { content: 0, full: 0 };
  for (let r = 0; r < repeats; r++)
    for (const [i, f] of firms.entries()) {
      const first = (r + i) % 2 === 0;
      const a = first ? await cpuOf(analyzer, f) : 0;
      const b = await cpuOf(full, f);
      const c = first ? a : await cpuOf(analyzer, f);
      sums.content += c;
      sums.full += b;
      ratios.push(c / b);
    }
  console.log(
    `default / whole sentences, CPU: median of per-firm ratios ${median(ratios).toFixed(3)}, ` +
      `total ${(sums.content / sums.full).toFixed(3)} (${sums.content.toFixed(1)} s / ${sums.full.toFixed(1)} s)`,
  );
}

function stats(xs: number[]): number[] {
  return [quantile(xs, 0.5), quantile(xs, 0.9), xs.reduce((a, b) => a + b, 0) / xs.length];
}
