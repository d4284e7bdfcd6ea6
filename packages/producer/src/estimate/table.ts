/** The estimate as plain-text tables for a terminal or a message to a supervisor. */
import type { PathEstimate, SweepPoint } from './model.js';
import type { EstimateReport } from './report.js';

/** 42 s, 12.5 min, 48.0 h, 3.9 d (hours up to three days, so a two-day quarter reads as the user measured it). */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '∞';
  if (seconds < 90) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 90 * 60) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds < 72 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

export function usd(v: number): string {
  if (v === 0) return '$0';
  if (v < 0.01) return `$${v.toFixed(4)}`;
  if (v < 100) return `$${v.toFixed(2)}`;
  return `$${Math.round(v).toLocaleString('en-US')}`;
}

function grid(header: string[], rows: string[][], rightAlign: boolean[] = []): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (rightAlign[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function pathRows(paths: PathEstimate[], meets: Record<string, boolean>, targets: boolean) {
  return paths.map((p) => [
    p.label,
    duration(p.quarter.wallSeconds),
    usd(p.quarter.costUsd),
    duration(p.total.wallSeconds),
    usd(p.total.costUsd),
    ...(targets ? [meets[p.path] ? 'yes' : 'no'] : []),
    p.bottleneck,
  ]);
}

function sweepTable(axis: string, points: SweepPoint[], withAmdahl: boolean): string {
  return grid(
    [axis, 'wall/quarter', '$/quarter', 'speed-up', ...(withAmdahl ? ['Amdahl ideal'] : []), 'bottleneck'],
    points.map((p) => [
      String(p.value),
      duration(p.wallSeconds),
      usd(p.costUsd),
      `${p.speedup.toFixed(2)}×`,
      ...(withAmdahl ? [`${(p.amdahl ?? 0).toFixed(2)}×`] : []),
      p.bottleneck,
    ]),
    [true, true, true, true, true],
  );
}

export function formatTable(r: EstimateReport): string {
  const s = r.scenario;
  const hasTargets = r.targets.budgetUsdPerQuarter !== null || r.targets.deadlineHours !== null;
  const out: string[] = [];
  out.push(
    `Estimate: ${s.firms.toLocaleString('en-US')} firms × ${s.quarters} quarter(s); partitions of ${s.batchSize}, ` +
      `up to ${s.concurrency} firm-worker tasks (${s.task}, Fargate ${s.pricing}); endpoint ${s.gpus} × ${s.gpuInstance}; ` +
      `LLM API ${s.llmApi}; price file of ${s.pricesAsOf}${s.fromRun ? `; measured inputs from run ${s.fromRun}` : ''}`,
    '',
  );
  const targetHead = hasTargets
    ? [
        `meets ${[
          r.targets.budgetUsdPerQuarter !== null ? `≤ ${usd(r.targets.budgetUsdPerQuarter)}/quarter` : '',
          r.targets.deadlineHours !== null ? `≤ ${duration(r.targets.deadlineHours * 3600)} total` : '',
        ]
          .filter(Boolean)
          .join(', ')}`,
      ]
    : [];
  out.push(
    grid(
      [
        'path',
        'wall/quarter',
        '$/quarter',
        `wall, ${s.quarters} q`,
        `$, ${s.quarters} q`,
        ...targetHead,
        'bottleneck',
      ],
      pathRows(r.paths, r.targets.meets, hasTargets),
      [false, true, true, true, true],
    ),
  );
  out.push('', ...tradeLines(r), ...priorLines(r));
  out.push(
    '',
    `Goals: ${s.firms.toLocaleString('en-US')} firms × 8 and × 100 quarters (quarters run in sequence):`,
  );
  out.push(
    grid(
      ['path', 'wall, 8 q', '$, 8 q', 'wall, 100 q', '$, 100 q', 'bottleneck'],
      r.paths.map((p) => {
        const g = (q: number) => r.goals.find((x) => x.path === p.path && x.quarters === q);
        return [
          p.label,
          duration(g(8)?.wallSeconds ?? Number.NaN),
          usd(g(8)?.costUsd ?? Number.NaN),
          duration(g(100)?.wallSeconds ?? Number.NaN),
          usd(g(100)?.costUsd ?? Number.NaN),
          p.bottleneck,
        ];
      }),
      [false, true, true, true, true],
    ),
  );
  out.push('', 'Per quarter, where the time and money go:');
  for (const p of r.paths) {
    const terms = [
      ...p.quarter.serial.map((t) => `${t.name} ${duration(t.seconds)}`),
      ...p.quarter.parallel.map((t) => `${t.name} ${duration(t.seconds)}`),
    ];
    out.push(
      `  ${p.label}: ${p.jobs} partition message(s); serial share ${(p.serialFraction * 100).toFixed(1)}%`,
      `    time: ${terms.join('; ')}${p.quarter.parallel.length > 1 ? ' (the parallel terms overlap)' : ''}`,
      `    cost: ${p.quarter.costs.map((c) => `${c.item} ${usd(c.usd)}`).join('; ')}`,
    );
  }
  for (const sw of r.sweeps) {
    const label = r.paths.find((p) => p.path === sw.path)?.label ?? sw.path;
    out.push('', `${label}: one quarter against firm-worker tasks (partitions of ${s.batchSize})`);
    out.push(sweepTable('tasks', sw.concurrency, true));
    out.push('', `${label}: one quarter against partition size (${s.concurrency} tasks)`);
    out.push(sweepTable('partition size', sw.batchSize, false));
  }
  out.push(
    '',
    'Amdahl ideal: the speed-up if everything but the serial stages scaled with the swept resource; the gap to the',
    'speed-up column is what the shared resource (the endpoint, an API limit, task start-up) holds back.',
  );
  out.push('', ...sizingLines(r), '', ...whatIfLines(r));
  out.push('', 'Inputs (flag > run > price file):');
  out.push(
    grid(
      ['input', 'value', 'unit', 'basis', 'from'],
      r.inputs.map((p) => [p.input, formatNumber(p.value), p.unit, p.basis, p.from]),
      [false, true],
    ),
  );
  if (r.warnings.length > 0) out.push('', 'Warnings:', ...r.warnings.map((w) => `  - ${w}`));
  return `${out.join('\n')}\n`;
}

/** The summary's trade: what self-hosting costs against the hosted API, and the rate limits behind both. */
export function tradeLines(r: EstimateReport): string[] {
  const t = r.trade;
  const s = r.scenario;
  const extra = t.selfHostedUsd - t.hostedUsd;
  const perMin = (x: number) => `${Math.round(x * 60).toLocaleString('en-US')}/min`;
  return [
    `Trade: self-hosting costs ${usd(t.selfHostedUsd)} a quarter (${s.gpus} × ${s.gpuInstance}, ${duration(t.selfHostedWallSeconds)}) ` +
      `against ${usd(t.hostedUsd)} for the hosted API (${duration(t.hostedWallSeconds)}): ${usd(extra)} a quarter, ` +
      `${usd(extra * s.quarters)} for ${s.quarters} quarter(s), to depend on no provider's rate limit.`,
    `  The hosted path assumes ${s.llmApi} grants ${perMin(t.hostedLlmRequestsPerSecond)} naming requests and ${s.embedApi} ` +
      `${perMin(t.hostedEmbedTextsPerSecond)} embedded sentences (its published in-flight limits ÷ the latency per request);`,
    `  the prior system's API granted ${perMin(t.priorRequestsPerSecond)} under full load (its user's log), against a nominal 500/min.`,
  ];
}

/** The prior system's row explained: calibrated on its user's quarter, its bill split from the machine. */
function priorLines(r: EstimateReport): string[] {
  const p = r.paths.find((x) => x.path === 'sequential-api');
  if (!p) return [];
  const item = (name: string) => p.quarter.costs.find((c) => c.item === name)?.usd ?? 0;
  const input = (name: string) => r.inputs.find((x) => x.input === name)?.value;
  const loop = p.quarter.parallel.find((t) => t.name === 'sequential firm loop')?.seconds ?? 0;
  return [
    `Prior system, calibrated on its user's quarter (48 h, ~$80 of LLM API, 12,000 requests and 3.85 M tokens an hour): ` +
      `${(input('prior.requestsPerFirm') ?? 0).toFixed(1)} requests a firm of ${(input('prior.promptTokensPerRequest') ?? 0).toFixed(0)} prompt + ` +
      `${(input('prior.completionTokensPerRequest') ?? 0).toFixed(0)} completion tokens;`,
    `  ${duration(p.quarter.wallSeconds)} a quarter (the firm loop alone: ${duration(loop)}), LLM API ${usd(item('LLM API tokens'))}, ` +
      `machine ${usd(item('machine'))} beside it (${r.scenario.pricing}).`,
  ];
}

function sizingLines(r: EstimateReport): string[] {
  const z = r.sizing;
  const s = r.scenario;
  const target = `one quarter ≤ ${duration(z.target.wallSeconds)} within ${usd(z.target.budgetUsd)}`;
  const base = z.points[0]?.wallSeconds ?? 0;
  const out = [
    `Endpoint size for ${target} (${s.gpuInstance}; firm-worker tasks chosen to keep the instances busy):`,
    grid(
      ['instances', 'tasks', 'wall/quarter', '$/quarter', 'speed-up', 'meets', 'bottleneck'],
      z.points.map((p) => [
        String(p.instances),
        String(p.tasks),
        duration(p.wallSeconds),
        usd(p.costUsd),
        `${(base / p.wallSeconds).toFixed(2)}×`,
        p.meets ? 'yes' : 'no',
        p.bottleneck,
      ]),
      [true, true, true, true, true],
    ),
  ];
  const rec = z.recommended;
  if (rec)
    out.push(
      `Recommended: ${rec.instances} × ${s.gpuInstance} and ${rec.tasks} firm-worker tasks: ${duration(rec.wallSeconds)} and ` +
        `${usd(rec.costUsd)} a quarter; ${s.quarters} quarter(s) ${duration(rec.wallSeconds * s.quarters)}, ${usd(rec.costUsd * s.quarters)}.`,
    );
  else {
    const f = z.fastestInBudget;
    out.push(
      `No size meets ${target}` +
        (f
          ? `; the fastest within budget is ${f.instances} instances, ${f.tasks} tasks: ${duration(f.wallSeconds)}, ${usd(f.costUsd)}.`
          : '.'),
    );
  }
  out.push(
    `Deployed: up to ${s.deployedInstances} instance(s) (inferenceMaxInstances) and ${s.deployedTasks} firm-worker tasks (firmWorkerMaxTasks)` +
      (rec
        ? rec.instances <= s.deployedInstances && rec.tasks <= s.deployedTasks
          ? ': enough for the recommendation.'
          : `: below the recommendation; deploy with -c callthemes:inferenceMaxInstances=${rec.instances} -c callthemes:firmWorkerMaxTasks=${Math.max(rec.tasks, s.deployedTasks)}.`
        : '.'),
  );
  return out;
}

function whatIfLines(r: EstimateReport): string[] {
  if (r.whatIfs.length === 0) return [];
  const s = r.scenario;
  return [
    `What if (the size for the same target; and the quarter on ${s.gpus} instance(s) as chosen):`,
    grid(
      ['endpoint', 'size', 'wall', '$/quarter', `wall on ${s.gpus}`, `$ on ${s.gpus}`, 'why'],
      r.whatIfs.map((w) => [
        w.name,
        w.size ? `${w.size.instances} × ${w.size.tasks} tasks${w.meets ? '' : ' (misses)'}` : '—',
        w.size ? duration(w.size.wallSeconds) : '—',
        w.size ? usd(w.size.costUsd) : '—',
        duration(w.atScenario.wallSeconds),
        usd(w.atScenario.costUsd),
        w.note,
      ]),
      [false, true, true, true, true, true],
    ),
  ];
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  if (Math.abs(v) >= 100) return v.toFixed(1);
  if (Math.abs(v) >= 0.01) return v.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
  return v.toPrecision(3);
}
