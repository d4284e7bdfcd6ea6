/**
 * What-if rows for the endpoint: the same quarter with one serving assumption changed — the 4-vCPU host as the
 * embedding limit, the embedder in FP8, Matryoshka-truncated vectors, a larger host, a cheaper GPU. Every rate
 * comes from the price file (derived ones say so there).
 */
import type { EstimateInputs, GpuService } from './model.js';
import type { PriceFile } from './prices.js';

export interface WhatIf {
  name: string;
  note: string;
  inputs: EstimateInputs;
}

/** Serialising a vector costs time in proportion to its length: 4096-d → 1024-d makes the host's share 4× smaller. */
export const MATRYOSHKA_DIMENSIONS = 1024;
export const SERVED_DIMENSIONS = 4096;

/** The endpoint's rates on a SageMaker instance type of the price file (the embedder in BF16 unless `fp8Embed`). */
export function servingOn(
  prices: PriceFile,
  instance: string,
  o: { fp8Embed?: boolean; hostLimit?: boolean; dimensions?: number } = {},
): Partial<GpuService> {
  const inst = prices.sagemakerInstances[instance];
  if (!inst) throw new Error(`unknown SageMaker instance type "${instance}"`);
  const s = prices.gpuServing[inst.gpu];
  const embed = o.fp8Embed ? s.embedTokensPerSecondFp8 : s.embedTokensPerSecond;
  if (!embed) throw new Error(`price file: gpuServing.${inst.gpu} has no embedTokensPerSecondFp8`);
  const host = inst.hostEmbedTextsPerSecond?.value;
  if (o.hostLimit && !host)
    throw new Error(`price file: sagemakerInstances.${instance} has no hostEmbedTextsPerSecond`);
  return {
    perHourPerGpu: inst.onDemandPerHour.value / inst.gpus.value,
    llmRequestsPerSecond: s.llmRequestsPerSecond.value,
    llmTokensPerSecond: s.llmTokensPerSecond.value,
    llmPrefillTokensPerSecond: s.llmPrefillTokensPerSecond?.value,
    llmDecodeTokensPerSecond: s.llmDecodeTokensPerSecond?.value,
    embedTokensPerSecond: embed.value,
    embedHostTextsPerSecond:
      o.hostLimit && host ? (host * SERVED_DIMENSIONS) / (o.dimensions ?? SERVED_DIMENSIONS) : undefined,
  };
}

export function whatIfs(prices: PriceFile, base: EstimateInputs, instance: string): WhatIf[] {
  const on = (inst: string, o: Parameters<typeof servingOn>[2]): EstimateInputs => ({
    ...base,
    gpu: { ...base.gpu, ...servingOn(prices, inst, o) },
  });
  const rows: WhatIf[] = [
    {
      name: `default: ${instance}, chat FP8, embedder BF16, 4096-d`,
      note: 'the GPU sets the pace (FLOP rule for the embedder, TensorRT-LLM fit × 0.75 for the chat model)',
      inputs: base,
    },
    {
      name: `${instance}: the 4-vCPU host limits embedding`,
      note: `${prices.sagemakerInstances[instance]?.hostEmbedTextsPerSecond?.value ?? '?'} sentences/s a host (derived from vLLM PR #39113): short sentences make tokenising and serialising 4096-d vectors, not the GPU, the limit`,
      inputs: on(instance, { hostLimit: true }),
    },
    {
      name: `${instance}: embedder in FP8`,
      note: 'FLOP rule at FP8 (derived); no official FP8 checkpoint of Qwen3-Embedding-8B, quality unvalidated',
      inputs: on(instance, { fp8Embed: true }),
    },
    {
      name: `${instance}: ${MATRYOSHKA_DIMENSIONS}-d Matryoshka vectors, host limit`,
      note: 'the GPU does the same work (the model runs in full, the vector is truncated); 4× less to serialise, store and cluster; retrieval quality at 1024-d unmeasured for the 8B',
      inputs: on(instance, { hostLimit: true, dimensions: MATRYOSHKA_DIMENSIONS }),
    },
  ];
  if (prices.sagemakerInstances['ml.g6e.2xlarge'] && instance !== 'ml.g6e.2xlarge')
    rows.push({
      name: 'ml.g6e.2xlarge (8 vCPU), host limit',
      note: 'same L40S, twice the host (two API-server processes assumed), +7.6% an hour',
      inputs: on('ml.g6e.2xlarge', { hostLimit: true }),
    });
  if (prices.sagemakerInstances['ml.g6.xlarge'] && instance !== 'ml.g6.xlarge')
    rows.push({
      name: 'ml.g6.xlarge (L4 24 GB): both models FP8',
      note: 'cheaper hour, about a third of the L40S (FP8 TFLOPS and bandwidth ratios, derived); 24 GB forces the embedder into FP8',
      inputs: on('ml.g6.xlarge', { fp8Embed: true }),
    });
  return rows;
}
