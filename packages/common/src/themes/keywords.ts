/**
 * Theme keywords by c-TF-IDF over member topics' keywords: each topic's keyword list is one document, each
 * theme one class. Unthemed topics form one extra class so that terms common everywhere (in themes or not)
 * get a low idf, as BERTopic keeps its −1 topic in the idf. Terms shared by at least `minTopics` (default 2)
 * member topics rank before the others (a theme's keywords should describe what its topics share).
 */
import { buildVocabulary, classTermCounts, cTfIdf, topTerms } from '../cluster/ctfidf.js';

export function themeKeywords(
  topicKeywords: readonly (readonly string[])[],
  themeOf: ArrayLike<number>,
  nThemes: number,
  count: number,
  minTopics = 2,
): string[][] {
  if (nThemes === 0) return [];
  const vocab = buildVocabulary(topicKeywords);
  const labels = Int32Array.from({ length: themeOf.length }, (_, i) =>
    themeOf[i] >= 0 ? themeOf[i] : nThemes,
  );
  const counts = classTermCounts(topicKeywords, labels, nThemes + 1, vocab);
  const weights = cTfIdf(counts, vocab.terms.length);
  return weights.slice(0, nThemes).map((row, c) => {
    const ranked = topTerms(row, row.size);
    const shared = ranked.filter((t) => (counts[c].get(t.term) ?? 0) >= minTopics);
    const single = ranked.filter((t) => (counts[c].get(t.term) ?? 0) < minTopics);
    return [...shared, ...single].slice(0, count).map((t) => vocab.terms[t.term]);
  });
}
