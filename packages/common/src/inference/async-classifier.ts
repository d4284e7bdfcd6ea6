/** Sentence sentiment through the async invoker: vLLM's /classify format, batched, labels as HttpClassifier reads them. */
import type { TokenLedger } from '../llm/ledger.js';
import {
  type SentimentClassifier,
  type SentimentLabel,
  type SentimentResult,
  STANDARD_LABELS,
} from '../sentiment/types.js';
import type { AsyncInvoker } from './async-invoker.js';
import { InferenceFailedError } from './errors.js';
import { SENTIMENT_STAGE } from './served-models.js';

export class AsyncClassifier implements SentimentClassifier {
  constructor(
    readonly model: string,
    private readonly invoker: AsyncInvoker,
    private readonly ledger: TokenLedger,
    private readonly batchSize = 1024,
    private readonly labelMap: Record<string, SentimentLabel> = {},
  ) {}

  async classify(texts: readonly string[]): Promise<SentimentResult[]> {
    const batches: string[][] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) batches.push(texts.slice(i, i + this.batchSize));
    const parts = await Promise.all(batches.map((b) => this.one(b)));
    return parts.flat();
  }

  private async one(texts: string[]): Promise<SentimentResult[]> {
    const input = texts.map((t) => (t.trim() ? t : ' '));
    const r = await this.invoker.submit('classify', { model: this.model, input });
    this.ledger.record({
      stage: SENTIMENT_STAGE,
      requests: 1,
      failedRequests: r.status >= 300 ? 1 : 0,
      cacheHits: r.reused ? 1 : 0,
    });
    const where = `${this.model} (classify)`;
    if (r.status >= 300)
      throw new InferenceFailedError(`${where}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    const data = (r.body as { data?: unknown })?.data;
    if (!Array.isArray(data) || data.length !== texts.length)
      throw new InferenceFailedError(
        `${where}: expected ${texts.length} results, got ${Array.isArray(data) ? data.length : 'none'}`,
      );
    const rows = [...data] as { index?: number; label?: unknown; probs?: unknown }[];
    rows.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    return rows.map((row, i) => {
      const raw = String(row.label).toLowerCase();
      const label = this.labelMap[raw] ?? STANDARD_LABELS[raw];
      if (!label) throw new InferenceFailedError(`${where}: unknown label "${String(row.label)}"`);
      const probs = Array.isArray(row.probs) ? (row.probs as number[]) : [];
      const score = probs.length ? Math.max(...probs) : Number.NaN;
      if (!(score >= 0 && score <= 1))
        throw new InferenceFailedError(`${where}: result ${i} has no probability in [0, 1]`);
      return texts[i].trim() ? { label, score } : { label: 'neutral', score: 1 };
    });
  }
}
