/**
 * Lineage alone at scale and width: the current quarter's topics held (as the theme stage holds them), the
 * earlier quarter's streamed from the lake (`readLineageSide` + `linkThemesStreamed`: once, with the unit-centroid
 * sum `--prepare` records in its manifest as a theme run does; twice with `--two-pass`, as for a quarter themed
 * before that record existed), timed in its own process so its peak RSS is lineage's. Themes come from another lake's theme run on the same topic ids (the
 * generator's `--dim` lakes share ids across widths, so a 100-d run's `topic_themes` give the memberships); their
 * centroids are recomputed at the lake's width. This measures the lineage step without a full theme run of each
 * quarter at that width first (two full 4096-d runs take over an hour on a loaded 2-core machine).
 *
 *   node --import @callthemes/common/register-source bench/themes/lineage-scale.ts --lake <scale-lake-4096> --members <scale-lake-100> --from 2031Q1 --to 2031Q2 --prepare
 *   node --import @callthemes/common/register-source bench/themes/lineage-scale.ts --lake <scale-lake-4096> --members <scale-lake-100> --from 2031Q1 --to 2031Q2 [--two-pass]
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  LocalLakeStore,
  openDuckDB,
  queryRows,
  type Row,
  scratchFile,
  sqlString,
  TABLES,
  writeParquet,
} from '@callthemes/common/lake';
import { type LineageTheme, linkThemesStreamed } from '@callthemes/common/themes';
import {
  encodeUnitSum,
  readLineageSide,
  readQuarterTopics,
  themeManifestKey,
  themeTableKey,
} from '@callthemes/theme-worker';
import { benchFlags } from '../flags.js';

const values = benchFlags({
  lake: undefined,
  members: undefined,
  from: '2031Q1',
  to: '2031Q2',
  prepare: false,
  'two-pass': false,
});
const store = new LocalLakeStore(values.lake!);

/** theme id → member topic ids, from the other lake's run. */
async function memberships(quarter: string): Promise<Map<string, string[]>> {
  const conn = await openDuckDB();
  const rows = await queryRows(
    conn,
    `SELECT theme_id, topic_id FROM read_parquet(${sqlString(
      join(values.members!, 'topic_themes', `quarter=${quarter}`, '*.parquet'),
    )}) ORDER BY theme_id, topic_id`,
  );
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const list = out.get(r.theme_id as string) ?? [];
    list.push(r.topic_id as string);
    out.set(r.theme_id as string, list);
  }
  return out;
}

/** The quarter's topics and its themes (those memberships, centroids = mean unit member centroid). */
async function themesAtWidth(quarter: string) {
  const read = await readQuarterTopics(store, quarter, { withText: false });
  const row = new Map(read.topics.map((t, i) => [t.topicId, i]));
  const d = read.centroids.cols;
  const themes: LineageTheme[] = [];
  for (const [themeId, ids] of await memberships(quarter)) {
    const acc = new Float64Array(d);
    const members = ids.filter((id) => row.has(id));
    for (const id of members) {
      const c = read.topics[row.get(id)!].centroid;
      let s = 0;
      for (let k = 0; k < d; k++) s += c[k] * c[k];
      const inv = 1 / Math.sqrt(s);
      for (let k = 0; k < d; k++) acc[k] += c[k] * inv;
    }
    let s = 0;
    for (let k = 0; k < d; k++) s += acc[k] * acc[k];
    themes.push({ themeId, members, centroid: Float32Array.from(acc, (x) => x / Math.sqrt(s)) });
  }
  return { topics: read.topics, themes, unitSum: read.unitSum };
}

if (values.prepare) {
  // The earlier quarter's theme tables at this width, as a theme run would have left them.
  const { themes, unitSum } = await themesAtWidth(values.from);
  const tables: ['themes' | 'topic_themes', Row[]][] = [
    [
      'themes',
      themes.map((t) => ({
        theme_id: t.themeId,
        name: t.themeId,
        name_source: 'keywords',
        keywords: [],
        description: null,
        n_topics: t.members.length,
        n_firms: 0,
        dominance: 0,
        centroid: t.centroid,
      })),
    ],
    [
      'topic_themes',
      themes.flatMap((t) => t.members.map((id) => ({ topic_id: id, theme_id: t.themeId, similarity: 0 }))),
    ],
  ];
  for (const [table, rows] of tables) {
    const tmp = scratchFile(await store.scratchDir(), table);
    try {
      await writeParquet(TABLES[table], rows, tmp);
      await store.putFile(themeTableKey(table, values.from), tmp);
    } finally {
      await rm(tmp, { force: true });
    }
  }
  // The part of the manifest lineage reads.
  await store.putText(
    themeManifestKey(values.from),
    `${JSON.stringify({ lineage: encodeUnitSum(unitSum) })}\n`,
  );
  process.stdout.write(
    `${values.from}: ${themes.length} themes written at ${themes[0]?.centroid.length}-d\n`,
  );
} else {
  const cur = await themesAtWidth(values.to);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const read = await readLineageSide(store, values.from);
  const prev = values['two-pass'] ? { ...read, unitSum: undefined } : read;
  const links = await linkThemesStreamed(prev, cur);
  const c = process.cpuUsage(c0);
  process.stdout.write(
    `${values.from} → ${values.to}: ${prev.themes.length} → ${cur.themes.length} themes, ${links.length} links ` +
      `(sha256 ${createHash('sha256').update(JSON.stringify(links)).digest('hex').slice(0, 12)}); ` +
      `lineage (${prev.unitSum ? 'one pass' : 'two passes'}) ${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${((c.user + c.system) / 1e6).toFixed(1)} s CPU; ` +
      `peak RSS of the process (current quarter held + lineage) ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n`,
  );
}
