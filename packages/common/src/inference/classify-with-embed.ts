/**
 * The SageMaker adapter's pairing of a firm's two requests: when sentences are embedded, their classification is
 * started too, so both leave at once (in one async invocation when the invoker coalesces; by default each is its
 * own, named by its content); the classifier then answers those texts from that pending result (by text, however
 * the caller groups them) and asks only for the others.
 */
import type { Embedder } from '../embed/types.js';
import type { SentimentClassifier, SentimentResult } from '../sentiment/types.js';

export function classifyWithEmbed(
  embedder: Embedder,
  classifier: SentimentClassifier,
  /** Texts whose pending classification is kept for the classifier (oldest dropped first). */
  maxPending = 100_000,
): { embedder: Embedder; classifier: SentimentClassifier } {
  const pending = new Map<string, Promise<SentimentResult>>();
  return {
    embedder: {
      model: embedder.model,
      get dim() {
        return embedder.dim;
      },
      embed(texts) {
        if (texts.length > 0) {
          const all = classifier.classify(texts);
          texts.forEach((t, i) => {
            const one = all.then((r) => r[i]);
            one.catch(() => {}); // read (and reported) by the classifier's call
            pending.set(t, one);
          });
          while (pending.size > maxPending) pending.delete(pending.keys().next().value as string);
        }
        return embedder.embed(texts);
      },
    },
    classifier: {
      model: classifier.model,
      async classify(texts) {
        const missing = [...new Set(texts.filter((t) => !pending.has(t)))];
        const fresh = missing.length > 0 ? await classifier.classify(missing) : [];
        const got = new Map(missing.map((t, i) => [t, Promise.resolve(fresh[i])]));
        const out = await Promise.all(
          texts.map((t) => got.get(t) ?? (pending.get(t) as Promise<SentimentResult>)),
        );
        for (const t of texts) pending.delete(t);
        return out;
      },
    },
  };
}
