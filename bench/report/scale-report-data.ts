/**
 * A synthetic N-firm report built by resampling a real one (the report of a real lake): the page's load time
 * at the scale of a full quarter, without running the whole pipeline on thousands of made-up transcripts.
 *
 * Each synthetic firm `S00001-<TEMPLATE>` copies one real firm, drawn uniformly with replacement: all of the
 * template's member topics (names, keywords, representative sentences and their labels) and its
 * firm-within-theme sentiment rows. Each real theme becomes `variants` themes (`<id>v<j>`); a synthetic firm
 * joins variant j of a theme, j drawn per firm and theme, so the firms of a real theme spread over its
 * variants. Counts and theme sentiment are recomputed from the copied rows; a lineage link between two real
 * themes links their variants with the same j. Everything is marked synthetic in the title.
 */
import { Rng } from '@callthemes/common/cluster';
import type {
  ReportData,
  ReportFirmSentiment,
  ReportTheme,
  SentimentCounts,
} from '@callthemes/producer/report';

export interface ScaleReportOptions {
  firms: number;
  variants: number;
  seed?: number;
}

function sumCounts(rows: readonly SentimentCounts[]): SentimentCounts | null {
  const s = { positive: 0, negative: 0, neutral: 0, total: 0, score: 0 };
  for (const r of rows) {
    s.positive += r.positive;
    s.negative += r.negative;
    s.neutral += r.neutral;
    s.total += r.total;
  }
  if (s.total === 0) return null;
  s.score = (s.positive - s.negative) / s.total;
  return s;
}

export function scaleReportData(real: ReportData, o: ScaleReportOptions): ReportData {
  const rng = new Rng(o.seed ?? 7);
  const firms = Array.from({ length: o.firms }, (_, i) => {
    const template = rng.int(real.firms.length);
    const f = real.firms[template];
    return { template, firm: { id: `S${String(i + 1).padStart(5, '0')}-${f.id}`, name: f.name } };
  });
  const byTemplate = new Map<number, number[]>();
  firms.forEach((f, i) => {
    const list = byTemplate.get(f.template) ?? [];
    list.push(i);
    byTemplate.set(f.template, list);
  });
  const themes: ReportTheme[] = [];
  const quarterStats = new Map(real.quarters.map((q) => [q.quarter, { topics: 0, themed: 0, labelled: 0 }]));
  for (const t of real.themes) {
    const variants: ReportTheme[] = Array.from({ length: o.variants }, (_, j) => ({
      ...t,
      id: `${t.id}v${j}`,
      name: o.variants > 1 ? `${t.name} (${j + 1})` : t.name,
      topics: [],
      firmSentiment: [],
    }));
    const sentimentOf = new Map(t.firmSentiment.map((r) => [r.firm, r]));
    const topicsOf = new Map<number, ReportTheme['topics']>();
    for (const tp of t.topics) {
      const list = topicsOf.get(tp.firm) ?? [];
      list.push(tp);
      topicsOf.set(tp.firm, list);
    }
    for (const [template, topics] of topicsOf) {
      for (const fi of byTemplate.get(template) ?? []) {
        const v = variants[rng.int(o.variants)];
        const sid = firms[fi].firm.id;
        for (const tp of topics) v.topics.push({ ...tp, id: tp.id.replace(/^[^:]+/, sid), firm: fi });
        const s = sentimentOf.get(template);
        if (s) v.firmSentiment.push({ ...s, firm: fi } satisfies ReportFirmSentiment);
      }
    }
    for (const v of variants) {
      if (v.topics.length === 0) continue;
      v.topics.sort((a, b) => b.similarity - a.similarity);
      v.firmSentiment.sort((a, b) => b.total - a.total);
      v.nTopics = v.topics.length;
      v.nFirms = new Set(v.topics.map((tp) => tp.firm)).size;
      const perFirm = new Map<number, number>();
      for (const tp of v.topics) perFirm.set(tp.firm, (perFirm.get(tp.firm) ?? 0) + 1);
      v.dominance = Math.max(...perFirm.values()) / v.nTopics;
      v.sentiment = sumCounts(v.firmSentiment);
      themes.push(v);
      const qs = quarterStats.get(v.quarter);
      if (qs) qs.themed += v.nTopics;
    }
  }
  themes.sort((a, b) => (a.quarter === b.quarter ? b.nTopics - a.nTopics : a.quarter < b.quarter ? -1 : 1));
  const kept = new Set(themes.map((t) => t.id));
  const links = real.links.flatMap((l) =>
    Array.from({ length: o.variants }, (_, j) => ({
      ...l,
      from: `${l.from}v${j}`,
      to: `${l.to}v${j}`,
    })).filter((l) => kept.has(l.from) && kept.has(l.to)),
  );
  const scale = o.firms / Math.max(1, real.firms.length);
  return {
    ...real,
    title: `${real.title} · synthetic ${o.firms.toLocaleString('en-US')} firms`,
    firms: firms.map((f) => f.firm),
    themes,
    links,
    quarters: real.quarters.map((q) => ({
      ...q,
      firms: o.firms,
      topics: Math.round(q.topics * scale),
      themedTopics: quarterStats.get(q.quarter)?.themed ?? 0,
      themes: themes.filter((t) => t.quarter === q.quarter).length,
      labelledSentences: Math.round(q.labelledSentences * scale),
    })),
  };
}
