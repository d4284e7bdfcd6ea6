/**
 * The port under today's interfaces, so the firm and theme workers switch adapters by one factory call:
 * an Embedder, LLM (or keyword) topic and theme namers, and a SentimentClassifier.
 *
 * With `classifyWithEmbed` (default on for sagemaker) the embedder also starts the classification of the same
 * sentences, so a firm's embed and classify requests leave in one async invocation; the classifier then answers
 * those texts from that pending result (by text, however the caller groups them) and asks only for the others.
 */
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
  /** Texts whose pending classification is kept for the classifier (oldest dropped first). Default 100,000. */
  maxPending?: number;
  log?: (line: string) => void;
}

export interface InferenceServices {
  embedder: Embedder;
  topicNamer: TopicNamer;
  themeNamer: ThemeNamer;
  classifier: SentimentClassifier;
}

export function inferenceServices(inf: Inference, o: BridgeOptions = {}): InferenceServices {
  const withEmbed = o.classifyWithEmbed ?? inf.kind === 'sagemaker';
  // Per text, so the classifier finds them however its caller groups sentences (one firm, or several).
  const pending = new Map<string, Promise<SentimentResult>>();
  const max = o.maxPending ?? 100_000;
  const embedder: Embedder = {
    model: inf.models.embed,
    get dim() {
      return inf.dim;
    },
    embed(texts) {
      if (withEmbed && texts.length > 0) {
        const all = inf.classify(texts);
        texts.forEach((t, i) => {
          const one = all.then((r) => r[i]);
          one.catch(() => {}); // read (and reported) by the classifier's call
          pending.set(t, one);
        });
        while (pending.size > max) pending.delete(pending.keys().next().value as string);
      }
      return inf.embed(texts);
    },
  };
  const classifier: SentimentClassifier = {
    model: inf.models.classify,
    async classify(texts) {
      const missing = [...new Set(texts.filter((t) => !pending.has(t)))];
      const fresh = missing.length > 0 ? await inf.classify(missing) : [];
      const got = new Map(missing.map((t, i) => [t, Promise.resolve(fresh[i])]));
      const out = await Promise.all(
        texts.map((t) => got.get(t) ?? (pending.get(t) as Promise<SentimentResult>)),
      );
      for (const t of texts) pending.delete(t);
      return out;
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
