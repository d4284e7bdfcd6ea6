/**
 * Theme keywords by c-TF-IDF over member topics' keywords: each topic's keyword list is one document, each
 * theme one class. Unthemed topics form one extra class so that terms common everywhere (in themes or not)
 * get a low idf, as BERTopic keeps its −1 topic in the idf.
 */
import { buildVocabulary, classTermCounts, cTfIdf, topTerms } from '../cluster/ctfidf.js';

export function themeKeywords(
  topicKeywords: readonly (readonly string[])[],
  themeOf: ArrayLike<number>,
  nThemes: number,
  count: number,
): string[][] {
  if (nThemes === 0) return [];
  const vocab = buildVocabulary(topicKeywords);
  const labels = Int32Array.from({ length: themeOf.length }, (_, i) =>
    themeOf[i] >= 0 ? themeOf[i] : nThemes,
  );
  const counts = classTermCounts(topicKeywords, labels, nThemes + 1, vocab);
  const weights = cTfIdf(counts, vocab.terms.length);
  return weights.slice(0, nThemes).map((row) => topTerms(row, count).map((t) => vocab.terms[t.term]));
}
