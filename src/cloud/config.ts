/**
 * Deployment settings of the AWS app, read from CDK context (`cdk.json`, `-c key=value`) with defaults sized
 * for a quarter of ~5,000 firms. Instance types and prices: docs/aws.md.
 */
import type { Node } from 'constructs';

export interface CloudConfig {
  /** CloudFormation stack name. */
  stackName: string;
  /** Availability zones: 1 keeps Batch and the GPU service in one AZ (no cross-AZ traffic). */
  maxAzs: number;
  /** Transcript source kind and input given to every stage job (`--source`, `--input`). */
  source: string;
  /** Input of the source; an `s3://` URL, or empty for `capiq` (reads PostgreSQL). Default: the bucket's `input/`. */
  input: string;
  /** Tag of the project image in the stack's ECR repository. */
  imageTag: string;
  /** CPU instance types of the Batch spot compute environment (several, so spot capacity is found). */
  batchInstanceTypes: string[];
  batchMaxVcpus: number;
  /** GPU instance types of the inference ASG (one GPU each; g6 = L4, g5 = A10G, both 24 GB). */
  gpuInstanceTypes: string[];
  gpuMaxInstances: number;
  /** vLLM container image (pin a version; thinking-off default needs `--default-chat-template-kwargs`). */
  vllmImage: string;
  llmModel: string;
  embedModel: string;
  /** Replicas of each inference service while a run is active (0 at rest). */
  llmReplicas: number;
  embedReplicas: number;
  /** Maximum tokens per request context for the chat model (KV cache sizing on a 24 GB GPU). */
  llmMaxModelLen: number;
  /** Athena per-query scan cutoff. */
  athenaBytesScannedCutoff: number;
  /** Quarters enumerated by Glue partition projection. */
  projectionQuarters: string;
  /** Secrets Manager secret with PGHOST/PGPORT/PGDATABASE/PGUSER/PGPASSWORD for the `capiq` source; optional. */
  pgSecretName: string;
}

export const DEFAULT_CONFIG: CloudConfig = {
  stackName: 'Callthemes',
  maxAzs: 1,
  source: 'ectsum',
  input: '',
  imageTag: 'latest',
  batchInstanceTypes: ['c7i.xlarge', 'c6i.xlarge', 'c7a.xlarge', 'm7i.xlarge', 'm6i.xlarge', 'c7i.2xlarge'],
  batchMaxVcpus: 256,
  gpuInstanceTypes: ['g6.xlarge', 'g5.xlarge', 'g6.2xlarge', 'g5.2xlarge'],
  gpuMaxInstances: 4,
  vllmImage: 'vllm/vllm-openai:v0.12.0',
  llmModel: 'Qwen/Qwen3-8B-FP8',
  embedModel: 'Qwen/Qwen3-Embedding-8B',
  llmReplicas: 1,
  embedReplicas: 1,
  llmMaxModelLen: 8192,
  athenaBytesScannedCutoff: 10 * 1024 ** 3,
  projectionQuarters: '2000Q1..2030Q4',
  pgSecretName: '',
};

/** Reads each setting from context (`callthemes:<key>`), falling back to the default. */
export function configFromContext(node: Node, overrides: Partial<CloudConfig> = {}): CloudConfig {
  const out: Record<string, unknown> = { ...DEFAULT_CONFIG };
  for (const [key, fallback] of Object.entries(DEFAULT_CONFIG)) {
    const raw = overrides[key as keyof CloudConfig] ?? node.tryGetContext(`callthemes:${key}`);
    if (raw === undefined || raw === null) continue;
    out[key] = coerce(key, raw, fallback);
  }
  return out as unknown as CloudConfig;
}

function coerce(key: string, raw: unknown, fallback: unknown): unknown {
  if (Array.isArray(fallback)) {
    const list = Array.isArray(raw) ? raw.map(String) : String(raw).split(',');
    const clean = list.map((s) => s.trim()).filter(Boolean);
    if (clean.length === 0) throw new Error(`context callthemes:${key}: expected a non-empty list`);
    return clean;
  }
  if (typeof fallback === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0)
      throw new Error(`context callthemes:${key}: expected a number ≥ 0, got ${raw}`);
    return n;
  }
  return String(raw);
}
