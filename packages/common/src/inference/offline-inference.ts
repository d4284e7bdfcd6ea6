/**
 * The embedded default, also what a kind without a service runs: SIF word-vector embeddings (loaded on first
 * use), no chat model (keyword names), the lexicon classifier.
 */
import { SIF_MODEL_ID, SifEmbedder } from '../embed/sif.js';
import type { Embedder } from '../embed/types.js';
import { cacheDirFrom } from '../embed/word-vectors.js';
import { TokenLedger } from '../llm/ledger.js';
import { LexiconClassifier } from '../sentiment/lexicon-classifier.js';
import { ComposedInference } from './composed.js';

/** The SIF embedder behind `load` (~180 MB of word vectors), read on the first embed or dim. */
export function offlineEmbedder(load: () => SifEmbedder): Embedder {
  let sif: SifEmbedder | null = null;
  const get = () => {
    sif ??= load();
    return sif;
  };
  return {
    model: SIF_MODEL_ID,
    averagesWords: true,
    get dim() {
      return get().dim;
    },
    embed: (texts) => get().embed(texts),
  };
}

export function createOfflineInference(
  o: { cacheDir?: string; ledger?: TokenLedger; sif?: () => SifEmbedder } = {},
): ComposedInference {
  return new ComposedInference({
    kind: 'offline',
    embedder: offlineEmbedder(o.sif ?? (() => SifEmbedder.load({ cacheDir: o.cacheDir ?? cacheDirFrom() }))),
    chat: null,
    classifier: new LexiconClassifier(),
    ledger: o.ledger ?? new TokenLedger(),
    describe: () => ({}),
    close: async () => {},
  });
}
