/**
 * Throughput of the offline sentiment classifier on one core (Node runs it on one thread), on the real
 * 2021Q2 ECTSum sentences from ../shared/data (or the shipped sample when that is absent), against the
 * reference VADER implementation as a baseline in the same process.
 *
 *   taskset -c 0 node --import @callthemes/common/register-source bench/sentiment-throughput.ts [--runs 5]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LexiconClassifier } from '@callthemes/common/sentiment';
import { ECTSUM_DIR, EXAMPLES_ECTSUM } from '@callthemes/common/testing/paths';
import vader from 'vader-sentiment';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const dir = existsSync(ECTSUM_DIR) ? ECTSUM_DIR : EXAMPLES_ECTSUM;
const files = readdirSync(dir).filter((f) => f.endsWith('_q2_2021.txt'));
const sentences = files.flatMap((f) =>
  readFileSync(join(dir, f), 'utf8')
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean),
);
console.log(`${sentences.length} sentences from ${files.length} calls (${dir})`);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Median wall and CPU seconds over `runs`. CPU time (user + system of this process) is what one core spends;
 * on a shared machine it is the steadier figure, so the rate is reported from it as well.
 */
async function time(name: string, n: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  await fn(); // warm-up
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    wall.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  const rate = n / median(cpu);
  console.log(
    `${name.padEnd(30)} median wall ${median(wall).toFixed(3)} s, cpu ${median(cpu).toFixed(3)} s over ${runs} runs → ` +
      `${Math.round(n / median(wall))} sentences/s wall, ${Math.round(rate)} sentences/s per core-second`,
  );
  return rate;
}

const clf = new LexiconClassifier();
const ours = await time(clf.model, sentences.length, () => clf.classify(sentences));
// The reference implementation is ~40× slower: time it on the first 5,000 sentences.
const subset = sentences.slice(0, 5000);
const base = await time(`vader-sentiment (${subset.length})`, subset.length, () =>
  subset.map((s) => vader.SentimentIntensityAnalyzer.polarity_scores(s)),
);
console.log(`ratio ${clf.model} / vader-sentiment: ${(ours / base).toFixed(2)}×`);
