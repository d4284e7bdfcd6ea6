/** The embedded default: SIF word-vector embeddings, the lexicon classifier, no chat model (keyword names). */
import { SifEmbedder } from '../embed/sif.js';
import { cacheDirFrom, loadWordVectors } from '../embed/word-vectors.js';
import { TokenLedger } from '../llm/ledger.js';
import { LexiconClassifier } from '../sentiment/lexicon-classifier.js';
import { ComposedInference } from './composed.js';

export function createOfflineInference(
  o: { cacheDir?: string; ledger?: TokenLedger } = {},
): ComposedInference {
  return new ComposedInference({
    kind: 'offline',
    embedder: new SifEmbedder(loadWordVectors(o.cacheDir ?? cacheDirFrom())),
    chat: null,
    classifier: new LexiconClassifier(),
    ledger: o.ledger ?? new TokenLedger(),
    describe: () => ({}),
    close: async () => {},
  });
}
