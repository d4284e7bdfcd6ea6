/**
 * Every adapter's Inference, made of three parts a worker uses directly: an Embedder, a chat client (or none:
 * names come from keywords) and a SentimentClassifier.
 */
import type { Embedder } from '../embed/types.js';
import type { JsonRequest, JsonResult, LlmClient } from '../llm/client.js';
import type { TokenLedger } from '../llm/ledger.js';
import type { SentimentClassifier, SentimentResult } from '../sentiment/types.js';
import { InferenceUnsupportedError } from './errors.js';
import type { Inference, InferenceModels } from './types.js';

export interface InferenceParts {
  kind: Inference['kind'];
  embedder: Embedder;
  chat: LlmClient | null;
  classifier: SentimentClassifier;
  ledger: TokenLedger;
  describe: () => Record<string, unknown>;
  close: () => Promise<void>;
}

export class ComposedInference implements Inference {
  readonly kind: Inference['kind'];
  readonly models: InferenceModels;
  readonly ledger: TokenLedger;

  constructor(private readonly p: InferenceParts) {
    this.kind = p.kind;
    this.ledger = p.ledger;
    this.models = { embed: p.embedder.model, chat: p.chat?.model ?? null, classify: p.classifier.model };
  }

  get dim(): number {
    return this.p.embedder.dim;
  }

  /** The chat client, for the LLM namers (null when chat is not served). */
  get chatClient(): LlmClient | null {
    return this.p.chat;
  }

  /** The embedding part, as the topic analyzer takes it. */
  get embedder(): Embedder {
    return this.p.embedder;
  }

  /** The sentence classifier part, as the firm stage takes it. */
  get classifier(): SentimentClassifier {
    return this.p.classifier;
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return this.p.embedder.embed(texts);
  }

  chat<T>(req: JsonRequest<T>): Promise<JsonResult<T>> {
    if (!this.p.chat)
      return Promise.reject(
        new InferenceUnsupportedError(`${this.kind} inference has no chat model (names come from keywords)`),
      );
    return this.p.chat.chatJson(req);
  }

  classify(texts: readonly string[]): Promise<SentimentResult[]> {
    return this.p.classifier.classify(texts);
  }

  describe(): Record<string, unknown> {
    return { kind: this.kind, models: this.models, dim: this.dim, ...this.p.describe() };
  }

  close(): Promise<void> {
    return this.p.close();
  }
}
