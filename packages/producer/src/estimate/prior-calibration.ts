/**
 * The prior system's per-firm inputs, calibrated on what its user measured over one quarter: the wall clock,
 * the LLM bill and the API log's hourly rates under full load. Pure arithmetic, each step named, so the
 * estimate's first row reproduces the user's own bill rather than contradicting it.
 */

export interface PriorTotals {
  /** Firms of the measured quarter. */
  firms: number;
  /** Wall hours the quarter took. */
  wallHours: number;
  /** Requests an hour the API log showed under full load. */
  requestsPerHour: number;
  /** Tokens (prompt + completion) an hour the API log showed under full load. */
  tokensPerHour: number;
  /** The quarter's LLM bill, in dollars. */
  llmUsd: number;
  /** The provider's token prices, $ per million. */
  inputPerMillion: number;
  outputPerMillion: number;
}

export interface PriorCalibration {
  /** requests/h × wall hours: the API was under full load for the whole quarter. */
  requests: number;
  requestsPerFirm: number;
  /** tokens/h ÷ requests/h: a ratio of two rates of the same log, whatever the duty cycle. */
  tokensPerRequest: number;
  /** The bill split into prompt and completion tokens at the provider's two prices. */
  promptTokensPerRequest: number;
  completionTokensPerRequest: number;
  /** The throughput the API granted (requests/h ÷ 3,600), which sets the quarter's pace. */
  requestsPerSecond: number;
  /** When the bill cannot be split within 0..tokens per request (the totals disagree), why. */
  warning: string | null;
}

export function calibratePrior(t: PriorTotals): PriorCalibration {
  for (const [k, v] of Object.entries(t))
    if (!(v > 0)) throw new Error(`prior-system calibration: ${k} must be > 0, got ${v}`);
  if (t.outputPerMillion <= t.inputPerMillion)
    throw new Error(
      'prior-system calibration: the output price must exceed the input price to split the bill',
    );
  const requests = t.requestsPerHour * t.wallHours;
  const tokensPerRequest = t.tokensPerHour / t.requestsPerHour;
  const usdPerRequest = t.llmUsd / requests;
  // usd/request × 1e6 = prompt × p_in + completion × p_out, with prompt + completion = tokens/request.
  const raw =
    (usdPerRequest * 1e6 - tokensPerRequest * t.inputPerMillion) / (t.outputPerMillion - t.inputPerMillion);
  const completion = Math.min(Math.max(raw, 0), tokensPerRequest);
  const warning =
    raw === completion
      ? null
      : `the bill ($${t.llmUsd}) cannot come from ${requests.toLocaleString('en-US')} requests of ` +
        `${tokensPerRequest.toFixed(0)} tokens at $${t.inputPerMillion}/$${t.outputPerMillion} per million: ` +
        `completion tokens clamped to ${completion.toFixed(0)} a request`;
  return {
    requests,
    requestsPerFirm: requests / t.firms,
    tokensPerRequest,
    promptTokensPerRequest: tokensPerRequest - completion,
    completionTokensPerRequest: completion,
    requestsPerSecond: t.requestsPerHour / 3600,
    warning,
  };
}
