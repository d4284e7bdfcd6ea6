/**
 * The Inference port: embeddings, schema-constrained chat and sentence classification, whatever serves them —
 * the embedded offline models, an OpenAI-compatible server, or a SageMaker async endpoint.
 */
import type { JsonRequest, JsonResult } from '../llm/client.js';
import type { TokenLedger } from '../llm/ledger.js';
import type { SentimentResult } from '../sentiment/types.js';

export interface InferenceModels {
  embed: string;
  /** null when the adapter has no chat model (offline: names come from keywords). */
  chat: string | null;
  classify: string;
}

export interface Inference {
  readonly kind: 'offline' | 'http' | 'sagemaker';
  readonly models: InferenceModels;
  /** Embedding dimension (known once the adapter is created). */
  readonly dim: number;
  /** Tokens, requests and cache hits of every call, per stage (the LLM token ledger). */
  readonly ledger: TokenLedger;
  /** One unit-length row per text, in order. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /**
   * A chat completion constrained to `req.schema`, validated, cached and budgeted as LlmClient.chatJson does;
   * InferenceUnsupportedError when `models.chat` is null.
   */
  chat<T>(req: JsonRequest<T>): Promise<JsonResult<T>>;
  /** One sentiment label per text, in order. */
  classify(texts: readonly string[]): Promise<SentimentResult[]>;
  /** What is configured, without credentials. */
  describe(): Record<string, unknown>;
  close(): Promise<void>;
}
