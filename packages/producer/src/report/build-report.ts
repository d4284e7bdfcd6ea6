/** Lake → report data → one HTML file (a local path or an `s3://bucket/key` URL). */

import type { LakeStore } from '@callthemes/common/lake';
import { putTextAt } from '@callthemes/common/lake';
import { loadReportData } from './load-report-data.js';
import { type ReportEmbedding, renderReportHtml } from './render-html.js';
import type { ReportData } from './types.js';

export interface BuildReportOptions {
  store: LakeStore;
  quarters: readonly string[];
  out: string;
  sentencesPerTopic?: number;
  title?: string;
  embed?: ReportEmbedding;
}

export interface BuildReportResult {
  data: ReportData;
  bytes: number;
  seconds: { load: number; render: number; write: number };
}

export async function buildReport(o: BuildReportOptions): Promise<BuildReportResult> {
  const t0 = performance.now();
  const data = await loadReportData(o);
  const t1 = performance.now();
  const html = renderReportHtml(data, o.embed);
  const t2 = performance.now();
  await putTextAt(o.out, html);
  const t3 = performance.now();
  return {
    data,
    bytes: Buffer.byteLength(html, 'utf8'),
    seconds: { load: (t1 - t0) / 1000, render: (t2 - t1) / 1000, write: (t3 - t2) / 1000 },
  };
}
