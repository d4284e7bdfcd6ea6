/**
 * Token ledger: prompt, completion and server-cached prompt tokens, requests, failures and response-cache hits,
 * per stage and per scope (whatever unit the caller bills to, e.g. one item of a batch), with cost from
 * configurable prices and a budget cap that refuses new requests once reached.
 */
import { BudgetExceededError } from './errors.js';

/** US dollars per million tokens. */
export interface TokenPrices {
  inputPerMillion: number;
  outputPerMillion: number;
  /** Prompt tokens the server served from its prefix cache; defaults to the input price. */
  cachedInputPerMillion?: number;
}

export interface Budget {
  maxCostUsd?: number;
  /** Prompt + completion tokens. */
  maxTokens?: number;
  /** Stages whose usage counts toward the caps (all when absent). */
  stages?: string[];
}

export interface UsageCounts {
  requests: number;
  failedRequests: number;
  cacheHits: number;
  promptTokens: number;
  completionTokens: number;
  cachedPromptTokens: number;
}

export interface LedgerTotals extends UsageCounts {
  totalTokens: number;
  costUsd: number;
}

export interface UsageEntry extends Partial<UsageCounts> {
  stage: string;
  scope?: string | null;
}

const zero = (): UsageCounts => ({
  requests: 0,
  failedRequests: 0,
  cacheHits: 0,
  promptTokens: 0,
  completionTokens: 0,
  cachedPromptTokens: 0,
});

function add(into: UsageCounts, e: Partial<UsageCounts>): void {
  into.requests += e.requests ?? 0;
  into.failedRequests += e.failedRequests ?? 0;
  into.cacheHits += e.cacheHits ?? 0;
  into.promptTokens += e.promptTokens ?? 0;
  into.completionTokens += e.completionTokens ?? 0;
  into.cachedPromptTokens += e.cachedPromptTokens ?? 0;
}

function getOrAdd<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) {
    v = make();
    m.set(k, v);
  }
  return v;
}

export class TokenLedger {
  private readonly all = zero();
  private readonly stages = new Map<string, UsageCounts>();
  private readonly scopes = new Map<string, Map<string, UsageCounts>>();

  constructor(
    readonly prices: TokenPrices = { inputPerMillion: 0, outputPerMillion: 0 },
    readonly budget: Budget = {},
    /** Prices of stages billed differently (e.g. embeddings), overriding `prices` there. */
    readonly stagePrices: Record<string, TokenPrices> = {},
  ) {}

  record(e: UsageEntry): void {
    add(this.all, e);
    add(getOrAdd(this.stages, e.stage, zero), e);
    if (e.scope)
      add(
        getOrAdd(
          getOrAdd(this.scopes, e.stage, () => new Map()),
          e.scope,
          zero,
        ),
        e,
      );
  }

  /** Dollars for usage booked to `stage`. */
  costOf(u: UsageCounts, stage?: string): number {
    const p = (stage !== undefined ? this.stagePrices[stage] : undefined) ?? this.prices;
    const cachedPrice = p.cachedInputPerMillion ?? p.inputPerMillion;
    const uncached = Math.max(0, u.promptTokens - u.cachedPromptTokens);
    return (
      (uncached * p.inputPerMillion +
        u.cachedPromptTokens * cachedPrice +
        u.completionTokens * p.outputPerMillion) /
      1e6
    );
  }

  private totalsOf(u: UsageCounts, cost: number): LedgerTotals {
    return { ...u, totalTokens: u.promptTokens + u.completionTokens, costUsd: cost };
  }

  totals(): LedgerTotals {
    let cost = 0;
    for (const [stage, u] of this.stages) cost += this.costOf(u, stage);
    return this.totalsOf(this.all, cost);
  }

  byStage(): Record<string, LedgerTotals> {
    return Object.fromEntries(
      [...this.stages].sort().map(([k, v]) => [k, this.totalsOf(v, this.costOf(v, k))]),
    );
  }

  /** Per-scope totals of one stage, e.g. one row per item named. */
  byScope(stage: string): Record<string, LedgerTotals> {
    const m = this.scopes.get(stage);
    return m
      ? Object.fromEntries([...m].sort().map(([k, v]) => [k, this.totalsOf(v, this.costOf(v, stage))]))
      : {};
  }

  /** Why a request of about `estimatedTokens` for `stage` may not be sent, or null when the budget allows it. */
  budgetRefusal(estimatedTokens: number, stage?: string): string | null {
    const { maxCostUsd, maxTokens, stages } = this.budget;
    if (maxCostUsd === undefined && maxTokens === undefined) return null;
    if (stages && (stage === undefined || !stages.includes(stage))) return null;
    let tokens = 0;
    let cost = 0;
    for (const [s, u] of this.stages) {
      if (stages && !stages.includes(s)) continue;
      tokens += u.promptTokens + u.completionTokens;
      cost += this.costOf(u, s);
    }
    if (maxTokens !== undefined && tokens + estimatedTokens > maxTokens)
      return `token budget reached: ${tokens} used + ~${estimatedTokens} requested > cap ${maxTokens}`;
    if (
      maxCostUsd !== undefined &&
      cost + this.costOf({ ...zero(), promptTokens: estimatedTokens }, stage) > maxCostUsd
    )
      return `cost budget reached: $${cost.toFixed(4)} spent, cap $${maxCostUsd}`;
    return null;
  }

  /** Throws BudgetExceededError when a request of about `estimatedTokens` would pass the cap. */
  checkBudget(estimatedTokens: number, stage?: string): void {
    const why = this.budgetRefusal(estimatedTokens, stage);
    if (why) throw new BudgetExceededError(why);
  }

  toJSON(): {
    prices: TokenPrices;
    stagePrices: Record<string, TokenPrices>;
    budget: Budget;
    totals: LedgerTotals;
    stages: Record<string, LedgerTotals & { scopes: Record<string, LedgerTotals> }>;
  } {
    const stages = Object.fromEntries(
      Object.entries(this.byStage()).map(([k, v]) => [k, { ...v, scopes: this.byScope(k) }]),
    );
    return {
      prices: this.prices,
      stagePrices: this.stagePrices,
      budget: this.budget,
      totals: this.totals(),
      stages,
    };
  }
}
