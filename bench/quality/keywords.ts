/**
 * Keyword coverage of the firm stage over a quarter, as `firm-batch` runs it (the topic analyzer with its
 * keyword namer and default model): how many topics have fewer than 5 keywords and how many are named by a
 * placeholder ("topic N") instead of their keywords.
 *
 *   node --import @callthemes/common/register-source bench/quality/keywords.ts --source motley-json --quarter 2021Q2 [--firms N] [--model '{…}'] [--list K]
 */
import { SifEmbedder } from '@callthemes/common/embed';
import { createTopicAnalyzer } from '@callthemes/common/topics';
import { benchArgs, loadQuarter } from '../common.js';

const MIN_KEYWORDS = 5;
const PLACEHOLDER = /^topic \d+$/;

const args = benchArgs({ list: { type: 'string', default: String(MIN_KEYWORDS) } });
// Topics with fewer keywords than this are listed (default: those below the minimum).
const listBelow = Number(args.values.list);
const embedder = SifEmbedder.load();
const firms = await loadQuarter(args.source, args.input, args.quarter, args.firms);
const analyze = createTopicAnalyzer({ embedder, model: args.model });
let topics = 0;
let sentences = 0;
let outliers = 0;
const short: string[] = [];
const listed: string[] = [];
const placeholders: string[] = [];
const sizes = new Map<number, number>();
const t0 = performance.now();
for (const f of firms) {
  const a = await analyze(f.transcript, f.sentences);
  sentences += f.sentences.length;
  outliers += a.topicOfSentence.filter((t) => t === null).length;
  for (const r of a.topicRows) {
    topics++;
    const kws = r.keywords as string[];
    sizes.set(kws.length, (sizes.get(kws.length) ?? 0) + 1);
    const line = `${r.topic_id} size ${r.size} name ${JSON.stringify(r.name)} keywords ${JSON.stringify(kws)}`;
    if (kws.length < MIN_KEYWORDS) short.push(line);
    if (kws.length < listBelow) listed.push(line);
    if (PLACEHOLDER.test(String(r.name))) placeholders.push(line);
  }
}
const seconds = (performance.now() - t0) / 1000;
console.log(
  `keywords ${args.source} ${args.quarter}: ${firms.length} firms, ${sentences} sentences, ${topics} topics, ` +
    `${(100 * (outliers / sentences)).toFixed(2)}% outliers, ${seconds.toFixed(1)} s, model ${JSON.stringify(args.model)}`,
);
console.log(`topics with < ${MIN_KEYWORDS} keywords: ${short.length}`);
console.log(`placeholder names: ${placeholders.length}`);
console.log(
  `keywords per topic: ${[...sizes.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ')}`,
);
for (const l of listed) console.log(`  ${l}`);
for (const l of placeholders) console.log(`  placeholder ${l}`);
