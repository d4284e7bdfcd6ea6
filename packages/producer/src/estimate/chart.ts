/**
 * An SVG chart of one quarter's wall time and cost against firm-worker tasks and partition size: four log-log
 * panels, one line per fleet path, the sequential prior system as a dashed reference, the chosen setting marked.
 * Plain SVG 1.1 with no scripts or external references, so it opens anywhere.
 */
import type { SweepPoint } from './model.js';
import type { EstimateReport } from './report.js';

const PANEL_W = 460;
const PANEL_H = 290;
const MARGIN = { left: 70, right: 16, top: 34, bottom: 46 };
const COLORS: Record<string, string> = {
  fleet: '#1f6fb4',
  'hosted-api': '#e07b00',
  'sequential-api': '#666666',
  target: '#c0392b',
};

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Tick values 1, 2, 5 × 10^k inside [lo, hi]. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** k;
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  }
  return out;
}

/** Round durations for a time axis, in seconds. */
const NICE_SECONDS = [
  1,
  10,
  60,
  300,
  600,
  1800,
  3600,
  3 * 3600,
  6 * 3600,
  12 * 3600,
  86400,
  2 * 86400,
  4 * 86400,
  7 * 86400,
  14 * 86400,
  30 * 86400,
  90 * 86400,
  365 * 86400,
];

export interface Axis {
  min: number;
  max: number;
  ticks: number[];
}

/** A log axis over decades with 1-2-5 ticks. */
export function decadeAxis(lo: number, hi: number): Axis {
  const min = 10 ** Math.floor(Math.log10(lo));
  const max = 10 ** Math.ceil(Math.log10(hi === lo ? hi * 2 : hi));
  const ticks = logTicks(min, max);
  return { min, max, ticks: ticks.length > 8 ? ticks.filter((v) => /^1/.test(String(v)) || v < 1) : ticks };
}

/** A log time axis in seconds whose ticks are round durations. */
export function durationAxis(lo: number, hi: number): Axis {
  const below = NICE_SECONDS.filter((v) => v <= lo * 0.8);
  const above = NICE_SECONDS.filter((v) => v >= hi * 1.1);
  const min = below.length > 0 ? below[below.length - 1] : lo;
  const max = above.length > 0 ? above[0] : hi;
  let ticks = NICE_SECONDS.filter((v) => v >= min && v <= max);
  while (ticks.length > 7) ticks = ticks.filter((_, k) => k % 2 === 0 || k === ticks.length - 1);
  return { min, max: max === min ? max * 2 : max, ticks };
}

function shortDuration(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${s / 60} min`;
  if (s < 86400) return `${s / 3600} h`;
  return `${s / 86400} d`;
}

function shortUsd(v: number): string {
  return v >= 1 ? `$${v.toLocaleString('en-US')}` : `$${v}`;
}

interface Series {
  key: string;
  label: string;
  points: { x: number; y: number }[];
  dashed?: boolean;
  marker?: { x: number; y: number };
}

function panel(
  x0: number,
  y0: number,
  title: string,
  xLabel: string,
  series: Series[],
  yAxis: (lo: number, hi: number) => Axis,
  yFormat: (v: number) => string,
  /** The x values to label (default: every point's). */
  xTickValues?: number[],
): string {
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter((v) => v > 0 && Number.isFinite(v));
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const { min: yMin, max: yMax, ticks: yTicks } = yAxis(Math.min(...ys), Math.max(...ys));
  const plotW = PANEL_W - MARGIN.left - MARGIN.right;
  const plotH = PANEL_H - MARGIN.top - MARGIN.bottom;
  const px = (v: number) =>
    x0 + MARGIN.left + ((Math.log(v) - Math.log(xMin)) / (Math.log(xMax) - Math.log(xMin))) * plotW;
  const py = (v: number) =>
    y0 + MARGIN.top + plotH - ((Math.log(v) - Math.log(yMin)) / (Math.log(yMax) - Math.log(yMin))) * plotH;
  const f = (n: number) => n.toFixed(1);
  const parts: string[] = [];
  parts.push(
    `<text x="${f(x0 + PANEL_W / 2)}" y="${f(y0 + 20)}" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<rect x="${f(x0 + MARGIN.left)}" y="${f(y0 + MARGIN.top)}" width="${f(plotW)}" height="${f(plotH)}" fill="#ffffff" stroke="#999999"/>`,
  );
  for (const t of yTicks) {
    parts.push(
      `<line x1="${f(x0 + MARGIN.left)}" y1="${f(py(t))}" x2="${f(x0 + MARGIN.left + plotW)}" y2="${f(py(t))}" stroke="#e5e5e5"/>`,
      `<text x="${f(x0 + MARGIN.left - 6)}" y="${f(py(t) + 4)}" text-anchor="end" font-size="11">${escapeXml(yFormat(t))}</text>`,
    );
  }
  const xTicks = xTickValues ?? [...new Set(xs)].sort((a, b) => a - b);
  for (const t of xTicks) {
    parts.push(
      `<line x1="${f(px(t))}" y1="${f(y0 + MARGIN.top + plotH)}" x2="${f(px(t))}" y2="${f(y0 + MARGIN.top + plotH + 4)}" stroke="#999999"/>`,
      `<text x="${f(px(t))}" y="${f(y0 + MARGIN.top + plotH + 17)}" text-anchor="middle" font-size="11">${t}</text>`,
    );
  }
  parts.push(
    `<text x="${f(x0 + MARGIN.left + plotW / 2)}" y="${f(y0 + PANEL_H - 8)}" text-anchor="middle" font-size="12">${escapeXml(xLabel)}</text>`,
  );
  for (const s of series) {
    const d = s.points
      .filter((p) => p.y > 0)
      .map((p, k) => `${k === 0 ? 'M' : 'L'}${f(px(p.x))},${f(py(p.y))}`)
      .join(' ');
    parts.push(
      `<path d="${d}" fill="none" stroke="${COLORS[s.key] ?? '#000000'}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}><title>${escapeXml(s.label)}</title></path>`,
    );
    if (s.marker && s.marker.y > 0)
      parts.push(
        `<circle cx="${f(px(s.marker.x))}" cy="${f(py(s.marker.y))}" r="4.5" fill="${COLORS[s.key] ?? '#000000'}" stroke="#ffffff" stroke-width="1.5"/>`,
      );
  }
  return `<g class="panel">${parts.join('')}</g>`;
}

export function renderChart(r: EstimateReport): string {
  const s = r.scenario;
  const seq = r.paths.find((p) => p.path === 'sequential-api');
  const label = (key: string) => r.paths.find((p) => p.path === key)?.label ?? key;
  const seriesFor = (
    axis: 'concurrency' | 'batchSize',
    metric: (p: SweepPoint) => number,
    chosen: number,
  ) => {
    const out: Series[] = r.sweeps.map((sw) => {
      const pts = sw[axis];
      const at = pts.find((p) => p.value === chosen);
      return {
        key: sw.path,
        label: label(sw.path),
        points: pts.map((p) => ({ x: p.value, y: metric(p) })),
        marker: at ? { x: at.value, y: metric(at) } : undefined,
      };
    });
    if (seq) {
      const xs = r.sweeps[0]?.[axis].map((p) => p.value) ?? [];
      const y = metric({
        value: 0,
        wallSeconds: seq.quarter.wallSeconds,
        costUsd: seq.quarter.costUsd,
        speedup: 1,
        bottleneck: '',
      });
      out.push({
        key: 'sequential-api',
        label: label('sequential-api'),
        dashed: true,
        points: [
          { x: Math.min(...xs), y },
          { x: Math.max(...xs), y },
        ],
      });
    }
    return out;
  };
  const wall = (p: SweepPoint) => p.wallSeconds;
  const cost = (p: SweepPoint) => p.costUsd;
  const width = PANEL_W * 2;
  const legendY = 58;
  const top = 72;
  const height = top + PANEL_H * 3 + 24;
  // The sizing row: one quarter against endpoint instances (tasks chosen per point), the target as a dashed line.
  const z = r.sizing;
  const xs = z.points.map((p) => p.instances);
  const rec = z.recommended;
  const sizingSeries = (
    metric: (p: { wallSeconds: number; costUsd: number }) => number,
    limit: number,
    limitLabel: string,
  ): Series[] => [
    {
      key: 'fleet',
      label: label('fleet'),
      points: z.points.map((p) => ({ x: p.instances, y: metric(p) })),
      marker: rec ? { x: rec.instances, y: metric(rec) } : undefined,
    },
    {
      key: 'target',
      label: limitLabel,
      dashed: true,
      points: [
        { x: Math.min(...xs), y: limit },
        { x: Math.max(...xs), y: limit },
      ],
    },
  ];
  const legendKeys = [...r.sweeps.map((sw) => sw.path), ...(seq ? ['sequential-api'] : [])];
  const legend = legendKeys
    .map((key, k) => {
      const x = 24 + k * 300;
      const dashed = key === 'sequential-api' ? ' stroke-dasharray="6 4"' : '';
      return (
        `<line x1="${x}" y1="${legendY}" x2="${x + 28}" y2="${legendY}" stroke="${COLORS[key]}" stroke-width="2"${dashed}/>` +
        `<text x="${x + 34}" y="${legendY + 4}" font-size="12">${escapeXml(label(key))}</text>`
      );
    })
    .join('');
  const title =
    `One quarter of ${s.firms.toLocaleString('en-US')} firms: wall time and cost ` +
    `(${s.pricing} prices of ${s.pricesAsOf}; dot = chosen setting)`;
  const subtitle = `partitions of ${s.batchSize} in the task panels; ${s.concurrency} tasks in the partition-size panels; endpoint ${s.gpus} × ${s.gpuInstance}`;
  const sizingLabel = rec
    ? `${s.gpuInstance} instances; dot = recommended ${rec.instances} instances, ${rec.tasks} tasks`
    : `${s.gpuInstance} instances; no size meets the target (dashed)`;
  const sizingTicks = xs.filter((x) => [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, rec?.instances].includes(x));
  const body = [
    panel(
      0,
      top,
      'Wall time per quarter vs firm-worker tasks',
      'Fargate Spot tasks',
      seriesFor('concurrency', wall, s.concurrency),
      durationAxis,
      shortDuration,
    ),
    panel(
      PANEL_W,
      top,
      'Wall time per quarter vs partition size',
      'firms per partition',
      seriesFor('batchSize', wall, s.batchSize),
      durationAxis,
      shortDuration,
    ),
    panel(
      0,
      top + PANEL_H,
      'Cost per quarter vs firm-worker tasks',
      'Fargate Spot tasks',
      seriesFor('concurrency', cost, s.concurrency),
      decadeAxis,
      shortUsd,
    ),
    panel(
      PANEL_W,
      top + PANEL_H,
      'Cost per quarter vs partition size',
      'firms per partition',
      seriesFor('batchSize', cost, s.batchSize),
      decadeAxis,
      shortUsd,
    ),
    panel(
      0,
      top + PANEL_H * 2,
      `Wall time per quarter vs endpoint instances (target ${shortDuration(z.target.wallSeconds)})`,
      sizingLabel,
      sizingSeries((p) => p.wallSeconds, z.target.wallSeconds, 'target wall time'),
      durationAxis,
      shortDuration,
      sizingTicks,
    ),
    panel(
      PANEL_W,
      top + PANEL_H * 2,
      `Cost per quarter vs endpoint instances (budget ${shortUsd(z.target.budgetUsd)})`,
      sizingLabel,
      sizingSeries((p) => p.costUsd, z.target.budgetUsd, 'budget'),
      decadeAxis,
      shortUsd,
      sizingTicks,
    ),
  ].join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fafafa"/>`,
    `<text x="24" y="24" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="24" y="42" font-size="12" fill="#444444">${escapeXml(subtitle)}</text>`,
    legend,
    body,
    '</svg>',
    '',
  ].join('\n');
}
