/**
 * What a researcher sees while a run goes: on a terminal a live bar per stage and quarter (items done/total,
 * items/s, ETA); without one (a log file, CI, AWS), one plain line per firm and one per stage. Both end with the
 * same summary table (./summary.ts).
 */
import cliProgress from 'cli-progress';
import type { StageQuarter } from './metrics.js';
import type { ItemEvent, StageView } from './stage-view.js';

export interface Progress {
  /** A stage starts on a quarter: `todo` items to do now, `skipped` already done by an earlier attempt. */
  stageStart(stage: StageView, quarter: string, todo: number, skipped: number, batches: number): void;
  item(stage: StageView, e: ItemEvent): void;
  stageEnd(stage: StageView, sq: StageQuarter): void;
  /** A notable event (a reject, a failed batch, a stop request). */
  log(line: string): void;
  close(): void;
}

const plural = (n: number, word: string) =>
  `${n.toLocaleString('en-US')} ${n !== 1 ? word : word.endsWith('ches') ? word.slice(0, -2) : word.replace(/s$/, '')}`;

export function stageLine(stage: StageView, sq: StageQuarter): string {
  const rate = sq.wallSeconds > 0 ? sq.itemsOk / sq.wallSeconds : 0;
  const counts = Object.entries(sq.counts)
    .map(([k, v]) => plural(v, k))
    .join(', ');
  const state = sq.interrupted
    ? ' (interrupted)'
    : sq.batchesFailed > 0
      ? ` (${sq.batchesFailed} batch(es) failed)`
      : '';
  const skipped = sq.batchesSkipped > 0 ? `; ${sq.batchesSkipped} batch(es) done earlier, skipped` : '';
  if (sq.batchesRun === 0 && sq.interrupted)
    return `${stage.name} ${sq.quarter}: interrupted before a batch finished${skipped}`;
  if (sq.batchesRun === 0 && sq.batchesFailed === 0)
    return `${stage.name} ${sq.quarter}: nothing to do${skipped}${sq.note ? ` (${sq.note})` : ''}`;
  return (
    `${stage.name} ${sq.quarter}: ${plural(sq.itemsOk, stage.unit)}, ${sq.itemsRejected} rejected` +
    `${counts ? `, ${counts}` : ''} in ${sq.wallSeconds.toFixed(1)} s (${rate.toFixed(1)} ${stage.unit}/s)${skipped}${state}`
  );
}

/** Plain lines on a stream: one per firm (the stage's `describeItem`), one per stage start and end. */
export class LineProgress implements Progress {
  constructor(private readonly out: NodeJS.WritableStream = process.stderr) {}

  stageStart(stage: StageView, quarter: string, todo: number, skipped: number, batches: number): void {
    const earlier = skipped > 0 ? ` (${plural(skipped, stage.unit)} done earlier)` : '';
    this.out.write(
      `${stage.name} ${quarter}: ${plural(todo, stage.unit)} in ${plural(batches, 'batches')} to run${earlier}\n`,
    );
  }

  item(stage: StageView, e: ItemEvent): void {
    const line = stage.describeItem(e);
    if (line) this.out.write(`${line}\n`);
  }

  stageEnd(stage: StageView, sq: StageQuarter): void {
    this.out.write(`${stageLine(stage, sq)}\n`);
  }

  log(line: string): void {
    this.out.write(`${line}\n`);
  }

  close(): void {}
}

/** Live bars on a terminal; rejects and stage lines scroll above them. */
export class BarProgress implements Progress {
  private readonly bars: cliProgress.MultiBar;
  private readonly active = new Map<string, { bar: cliProgress.SingleBar; done: number; t0: number }>();

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.bars = new cliProgress.MultiBar(
      {
        stream,
        format: '{label} |{bar}| {value}/{total} {unit} | {rate} {unit}/s | ETA {eta_formatted}',
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        etaBuffer: 50,
        fps: 5,
        autopadding: true,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  stageStart(stage: StageView, quarter: string, todo: number, skipped: number, _batches: number): void {
    if (skipped > 0)
      this.log(`${stage.name} ${quarter}: ${plural(skipped, stage.unit)} done earlier, skipped`);
    const bar = this.bars.create(todo, 0, {
      label: `${stage.name.padEnd(9)} ${quarter}`,
      unit: stage.unit,
      rate: '0.0',
    });
    this.active.set(`${stage.name}/${quarter}`, { bar, done: 0, t0: performance.now() });
  }

  item(stage: StageView, e: ItemEvent): void {
    const a = this.active.get(`${stage.name}/${e.quarter}`);
    if (!a) return;
    a.done++;
    const rate = a.done / Math.max(1e-3, (performance.now() - a.t0) / 1000);
    a.bar.update(a.done, { rate: rate.toFixed(1) });
    if (!e.ok) this.log(stage.describeItem(e) ?? `reject ${e.itemId} ${e.quarter}: ${e.reason}`);
  }

  stageEnd(stage: StageView, sq: StageQuarter): void {
    const key = `${stage.name}/${sq.quarter}`;
    const a = this.active.get(key);
    if (a) {
      a.bar.update(a.done, { rate: (sq.wallSeconds > 0 ? sq.itemsOk / sq.wallSeconds : 0).toFixed(1) });
      a.bar.stop();
      this.active.delete(key);
    }
  }

  log(line: string): void {
    this.bars.log(`${line}\n`);
  }

  close(): void {
    this.bars.stop();
  }
}

export function progressFor(stream: NodeJS.WriteStream = process.stderr): Progress {
  return stream.isTTY ? new BarProgress(stream) : new LineProgress(stream);
}
