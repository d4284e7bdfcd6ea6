/**
 * The dated price file: every default number of the estimate with its source. `--prices <file>` replaces the
 * shipped file; a file that lacks a source or a date for any number is rejected, so an estimate never rests on
 * an unexplained figure.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const sourcedSchema = z.object({
  value: z.number().nonnegative(),
  unit: z.string().min(1),
  basis: z.enum(['published', 'measured', 'derived', 'assumption']),
  date: z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/, 'date must be YYYY-MM or YYYY-MM-DD'),
  source: z.string().min(3),
  note: z.string().optional(),
});
export type Sourced = z.infer<typeof sourcedSchema>;

const instanceSchema = z.object({
  role: z.enum(['cpu', 'gpu']),
  gpu: z.string().optional(),
  gpus: sourcedSchema.optional(),
  vcpus: sourcedSchema,
  onDemandPerHour: sourcedSchema,
  spotPerHour: sourcedSchema,
});

const gpuServingSchema = z.object({
  llmRequestsPerSecond: sourcedSchema,
  llmTokensPerSecond: sourcedSchema,
  /** Naming as prefill + decode token rates (replace the two limits above when present). */
  llmPrefillTokensPerSecond: sourcedSchema.optional(),
  llmDecodeTokensPerSecond: sourcedSchema.optional(),
  embedTokensPerSecond: sourcedSchema,
  /** The embedder in FP8: what-if rows only (no official FP8 checkpoint of the default embedder). */
  embedTokensPerSecondFp8: sourcedSchema.optional(),
});

/** A provider's limit is either requests per minute or requests in flight (then rate = in flight ÷ latency). */
const llmApiSchema = z
  .object({
    inputPerMillion: sourcedSchema,
    outputPerMillion: sourcedSchema,
    requestsPerMinute: sourcedSchema.optional(),
    concurrentRequests: sourcedSchema.optional(),
    secondsPerRequest: sourcedSchema.optional(),
  })
  .refine((a) => a.requestsPerMinute || (a.concurrentRequests && a.secondsPerRequest), {
    message: 'needs requestsPerMinute, or concurrentRequests with secondsPerRequest',
  });

const embeddingApiSchema = z.object({
  perMillion: sourcedSchema,
  concurrentRequests: sourcedSchema,
  secondsPerRequest: sourcedSchema,
  textsPerRequest: sourcedSchema,
});

export const priceFileSchema = z.object({
  title: z.string(),
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  currency: z.literal('USD'),
  region: z.string(),
  about: z.string().optional(),
  instances: z.record(z.string(), instanceSchema),
  gpuServing: z.record(z.string(), gpuServingSchema),
  llmApis: z.record(z.string(), llmApiSchema),
  embeddingApis: z.record(z.string(), embeddingApiSchema),
  /** SageMaker hosting instances of the async endpoint (on demand: endpoints have no Spot). */
  sagemakerInstances: z.record(
    z.string(),
    z.object({
      gpu: z.string(),
      gpus: sourcedSchema,
      onDemandPerHour: sourcedSchema,
      vcpus: sourcedSchema.optional(),
      /** Sentences a second the instance's host (tokenising, serialising 4096-d vectors) can embed. */
      hostEmbedTextsPerSecond: sourcedSchema.optional(),
    }),
  ),
  fargate: z.object({
    vcpuPerHour: sourcedSchema,
    gbPerHour: sourcedSchema,
    spotFactor: sourcedSchema,
    taskStartSeconds: sourcedSchema,
    minimumBilledSeconds: sourcedSchema,
  }),
  requests: z.object({
    sqsPerMillion: sourcedSchema,
    dynamoWritePerMillion: sourcedSchema,
    dynamoReadPerMillion: sourcedSchema,
    s3PutPer1000: sourcedSchema,
    s3GetPer1000: sourcedSchema,
    snsPerMillion: sourcedSchema,
    sqsRequestsPerPartition: sourcedSchema,
    dynamoWritesPerPartition: sourcedSchema,
    dynamoReadsPerPartition: sourcedSchema,
    s3PutsPerPartition: sourcedSchema,
    textsPerInferenceRequest: sourcedSchema,
  }),
  overheads: z.object({
    endpointColdStartSeconds: sourcedSchema,
    endpointScaleInSeconds: sourcedSchema,
    minimumBilledSeconds: sourcedSchema,
  }),
  workload: z.object({
    sentencesPerFirm: sourcedSchema,
    embedTokensPerSentence: sourcedSchema,
    llmRequestsPerFirm: sourcedSchema,
    promptTokensPerRequest: sourcedSchema,
    completionTokensPerRequest: sourcedSchema,
    ingestCpuSecondsPerFirm: sourcedSchema,
    topicCpuSecondsPerFirm: sourcedSchema,
    themesSecondsPer1000Firms: sourcedSchema,
    sentimentSecondsPer1000Firms: sourcedSchema,
  }),
  /** The prior system, calibrated on its user's measured quarter (see prior-calibration.ts). */
  priorSystem: z.object({
    secondsPerFirm: sourcedSchema,
    measuredFirms: sourcedSchema,
    measuredWallHours: sourcedSchema,
    apiRequestsPerHour: sourcedSchema,
    apiTokensPerHour: sourcedSchema,
    llmUsd: sourcedSchema,
    /** The public repository's topics a firm: kept to explain the disagreement with the billed requests. */
    topicsPerFirm: sourcedSchema,
    instance: z.string(),
    llmApi: z.string(),
  }),
});
export type PriceFile = z.infer<typeof priceFileSchema>;
export type InstancePrice = z.infer<typeof instanceSchema>;
export type GpuServing = z.infer<typeof gpuServingSchema>;
export type LlmApiPrice = z.infer<typeof llmApiSchema>;
export type EmbeddingApiPrice = z.infer<typeof embeddingApiSchema>;

/** The price file shipped with the project (data/ at the repo root; same path from src/ and dist/). */
export const DEFAULT_PRICE_FILE = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'data',
  'prices-2026-12.json',
);

/** Reads and validates a price file; the error names the file and the first offending field. */
export function loadPriceFile(path = DEFAULT_PRICE_FILE): PriceFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`price file ${path}: ${(err as Error).message}`);
  }
  const parsed = priceFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`price file ${path}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const p = parsed.data;
  const prior = p.priorSystem;
  if (!p.instances[prior.instance])
    throw new Error(`price file ${path}: priorSystem.instance "${prior.instance}" is not in instances`);
  if (!p.llmApis[prior.llmApi])
    throw new Error(`price file ${path}: priorSystem.llmApi "${prior.llmApi}" is not in llmApis`);
  for (const [name, inst] of Object.entries(p.sagemakerInstances)) {
    if (!p.gpuServing[inst.gpu])
      throw new Error(
        `price file ${path}: sagemakerInstances.${name}: gpu "${inst.gpu}" has no gpuServing entry`,
      );
  }
  for (const [name, inst] of Object.entries(p.instances)) {
    if (inst.role === 'gpu' && (!inst.gpu || !p.gpuServing[inst.gpu]))
      throw new Error(`price file ${path}: instances.${name}: gpu "${inst.gpu}" has no gpuServing entry`);
  }
  return p;
}

/** Every sourced number of a price file with its dotted path: what the docs and `--format json` list. */
export function sourcedEntries(p: PriceFile): { path: string; item: Sourced }[] {
  const out: { path: string; item: Sourced }[] = [];
  const walk = (v: unknown, path: string) => {
    if (!v || typeof v !== 'object') return;
    const parsed = sourcedSchema.safeParse(v);
    if (parsed.success) {
      out.push({ path, item: parsed.data });
      return;
    }
    for (const [k, child] of Object.entries(v)) walk(child, path ? `${path}.${k}` : k);
  };
  walk(p, '');
  return out;
}
