/**
 * Lineage between two consecutive real quarters: runs the theme stage on both (keyword vectors on, as the CLI
 * does), then prints how many themes of the later quarter link back, the distribution of the best link's
 * signals, and a few linked theme pairs with their keywords.
 *
 *   node --import @callthemes/common/register-source bench/themes/lineage.ts --lake ./lake --from 2021Q1 --to 2021Q2 [--show 12]
 */
import { SifEmbedder } from '@callthemes/common/embed';
import { LocalLakeStore, openDuckDB, queryRows, sqlString } from '@callthemes/common/lake';
import { linkThemesStreamed } from '@callthemes/common/themes';
import { readLineageSide, readQuarterTopics, runThemeStage } from '@callthemes/theme-worker';
import { quantile } from '../common.js';
import { benchFlags } from '../flags.js';

async function main(): Promise<void> {
  const values = benchFlags({ lake: './lake', from: '2021Q1', to: '2021Q2', show: 12, 'skip-run': false });
  const store = new LocalLakeStore(values.lake);
  const embedder = SifEmbedder.load();
  if (!values['skip-run']) {
    await runThemeStage({
      store,
      quarter: values.from,
      runId: 'bench',
      keywordEmbedder: embedder,
      previousQuarter: null,
    });
    await runThemeStage({
      store,
      quarter: values.to,
      runId: 'bench',
      keywordEmbedder: embedder,
      previousQuarter: values.from,
    });
  }
  // All candidate pairs (link threshold 0) to see the distribution behind the default cut.
  const prev = await readLineageSide(store, values.from);
  const cur = {
    themes: (await readLineageSide(store, values.to)).themes,
    topics: (await readQuarterTopics(store, values.to, { withText: false })).topics,
  };
  const all = await linkThemesStreamed(prev, cur, { linkAt: 0, maxLinksPerTheme: 1 });
  const best = new Map(all.map((l) => [l.toThemeId, l]));
  const sims = [...best.values()].map((l) => l.similarity);
  const coss = [...best.values()].map((l) => l.centroidSimilarity);
  const ovs = [...best.values()].map((l) => l.memberOverlap);
  const q = (xs: number[]) => [0.1, 0.25, 0.5, 0.75, 0.9].map((p) => quantile(xs, p).toFixed(2)).join(' / ');
  const links = await linkThemesStreamed(prev, cur);
  const linkedTo = new Set(links.map((l) => l.toThemeId));
  const linkedFrom = new Set(links.map((l) => l.fromThemeId));
  const firmsBoth = new Set((await readQuarterTopics(store, values.from)).topics.map((t) => t.firmId));
  const firmsTo = new Set(cur.topics.map((t) => t.firmId));
  process.stdout.write(
    `${values.from} → ${values.to}: ${prev.themes.length} → ${cur.themes.length} themes; ` +
      `${[...firmsTo].filter((f) => firmsBoth.has(f)).length} firms report in both quarters\n` +
      `links at the default threshold: ${links.length}; ${linkedTo.size} of ${cur.themes.length} later themes ` +
      `(${((100 * linkedTo.size) / Math.max(1, cur.themes.length)).toFixed(0)}%) continue ${linkedFrom.size} earlier ones\n` +
      `best link per later theme, p10/p25/p50/p75/p90: similarity ${q(sims)}; centred cosine ${q(coss)}; ` +
      `member overlap ${q(ovs)}\n`,
  );
  const conn = await openDuckDB();
  const themes = await queryRows(
    conn,
    `SELECT theme_id, name, n_topics, n_firms FROM read_parquet([${[values.from, values.to]
      .map((qq) => sqlString(`${values.lake}/themes/quarter=${qq}/themes.parquet`))
      .join(', ')}])`,
  );
  const info = new Map(themes.map((t) => [t.theme_id as string, t]));
  const shown = links
    .filter((l) => Number(l.toThemeId.split(':th')[1]) < 40)
    .sort((a, b) => Number(a.toThemeId.split(':th')[1]) - Number(b.toThemeId.split(':th')[1]))
    .slice(0, values.show);
  process.stdout.write(
    '\n| earlier theme | later theme | similarity | centred cos | overlap |\n|---|---|---|---|---|\n',
  );
  for (const l of shown) {
    const a = info.get(l.fromThemeId)!;
    const b = info.get(l.toThemeId)!;
    process.stdout.write(
      `| ${l.fromThemeId} ${a.name} (${a.n_firms} firms) | ${l.toThemeId} ${b.name} (${b.n_firms} firms) | ` +
        `${l.similarity.toFixed(2)} | ${l.centroidSimilarity.toFixed(2)} | ${l.memberOverlap.toFixed(2)} |\n`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
