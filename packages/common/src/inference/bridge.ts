/**
 * The port under today's interfaces, so the firm and theme workers switch adapters by one factory call:
 * an Embedder, LLM (or keyword) topic and theme namers, and a SentimentClassifier.
 *
 * With `classifyWithEmbed` (default on for sagemaker) the embedder also starts the classification of the same
 * sentences, so a firm's embed and classify requests leave in one async invocation; the classifier then answers
 * those texts from that pending result.
 */
import { createHash } from 'node:crypto';
import type { Embedder } from '../embed/types.js';
import { KeywordNamer } from '../naming/keywords.js';
import { LlmThemeNamer } from '../naming/llm-theme-namer.js';
import { LlmTopicNamer } from '../naming/llm-topic-namer.js';
import { KeywordThemeNamer } from '../naming/theme-keywords.js';
import type { ThemeNamer, TopicNamer } from '../naming/types.js';
import type { SentimentClassifier, SentimentResult } from '../sentiment/types.js';
import type { Inference } from './types.js';

export interface BridgeOptions {
  fallbackTopicNamer?: TopicNamer;
  fallbackThemeNamer?: ThemeNamer;
  classifyWithEmbed?: boolean;
  /** Pending classifications kept for the classifier (oldest dropped first). Default 256. */
  maxPending?: number;
  log?: (line: string) => void;
}

export interface InferenceServices {
  embedder: Embedder;
  topicNamer: TopicNamer;
  themeNamer: ThemeNamer;
  classifier: SentimentClassifier;
}

const keyOf = (texts: readonly string[]) => {
  const h = createHash('sha256');
  for (const t of texts) h.update(t).update('\0');
  return h.digest('hex');
};

export function inferenceServices(inf: Inference, o: BridgeOptions = {}): InferenceServices {
  const withEmbed = o.classifyWithEmbed ?? inf.kind === 'sagemaker';
  const pending = new Map<string, Promise<SentimentResult[]>>();
  const max = o.maxPending ?? 256;
  const embedder: Embedder = {
    model: inf.models.embed,
    get dim() {
      return inf.dim;
    },
    embed(texts) {
      if (withEmbed && texts.length > 0) {
        const p = inf.classify(texts);
        p.catch(() => {}); // read (and reported) by the classifier's call
        pending.set(keyOf(texts), p);
        while (pending.size > max) pending.delete(pending.keys().next().value as string);
      }
      return inf.embed(texts);
    },
  };
  const classifier: SentimentClassifier = {
    model: inf.models.classify,
    classify(texts) {
      const k = keyOf(texts);
      const p = pending.get(k);
      if (p) {
        pending.delete(k);
        return p;
      }
      return inf.classify(texts);
    },
  };
  const chat = inf.models.chat !== null ? { chatJson: inf.chat.bind(inf) } : null;
  const topicNamer: TopicNamer = chat
    ? new LlmTopicNamer({
        client: chat,
        fallback: o.fallbackTopicNamer,
        onFallback: (firm, reason, n) =>
          o.log?.(`${firm}: ${n} topic name(s) fell back to keywords: ${reason}`),
      })
    : (o.fallbackTopicNamer ?? new KeywordNamer());
  const themeNamer: ThemeNamer = chat
    ? new LlmThemeNamer({
        client: chat,
        fallback: o.fallbackThemeNamer,
        onFallback: (q, reason, n) => o.log?.(`${q}: ${n} theme name(s) fell back to keywords: ${reason}`),
      })
    : (o.fallbackThemeNamer ?? new KeywordThemeNamer());
  return { embedder, topicNamer, themeNamer, classifier };
}
