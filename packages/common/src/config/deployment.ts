/**
 * Defaults of the AWS deployment, shared by the CDK app (infra) and the cost estimate (producer), so neither
 * imports the other. Sized for a quarter of ~5,000 firms; instance types and prices: docs/aws.md.
 */
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

/** The run's input defaults (batch size, concurrency of the firm jobs) that the deployed workflow applies. */
export const INPUT_DEFAULTS = { batchSize: 50, maxConcurrency: 20, firms: '' };
