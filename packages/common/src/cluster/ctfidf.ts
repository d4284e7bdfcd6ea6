/**
 * Class-based TF-IDF exactly as BERTopic defines it (ClassTfidfTransformer): each class's documents are one
 * bag of terms; tf = the class row L1-normalised (square-rooted with reduceFrequentWords); idf(t) =
 * log(1 + A / f_t) with A = int(mean terms per class) and f_t = the term's total count over all classes
 * (BM25 variant: log(1 + (A − f_t + 0.5) / (f_t + 0.5))). W = tf · idf, not normalised again.
 */

/** Sparse row: term id → value. */
export type SparseRow = Map<number, number>;

export interface Vocabulary {
  readonly terms: string[];
  readonly index: ReadonlyMap<string, number>;
}

export interface VocabularyOptions {
  /** Keep terms present in at least this many documents (default 1). */
  minDf?: number;
}

/** Vocabulary of the documents' terms, sorted alphabetically like scikit-learn's CountVectorizer. */
export function buildVocabulary(docs: readonly (readonly string[])[], o: VocabularyOptions = {}): Vocabulary {
  const minDf = o.minDf ?? 1;
  const df = new Map<string, number>();
  for (const doc of docs) for (const t of new Set(doc)) df.set(t, (df.get(t) ?? 0) + 1);
  const terms = [...df.entries()]
    .filter(([, c]) => c >= minDf)
    .map(([t]) => t)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { terms, index: new Map(terms.map((t, i) => [t, i])) };
}

/** Term counts per class; documents with a label outside [0, nClasses) are skipped. */
export function classTermCounts(
  docs: readonly (readonly string[])[],
  labels: ArrayLike<number>,
  nClasses: number,
  vocab: Vocabulary,
): SparseRow[] {
  const rows: SparseRow[] = Array.from({ length: nClasses }, () => new Map());
  docs.forEach((doc, i) => {
    const c = labels[i];
    if (c < 0 || c >= nClasses) return;
    const row = rows[c];
    for (const t of doc) {
      const id = vocab.index.get(t);
      if (id !== undefined) row.set(id, (row.get(id) ?? 0) + 1);
    }
  });
  return rows;
}

export interface CtfidfOptions {
  bm25Weighting?: boolean;
  reduceFrequentWords?: boolean;
}

/** The idf vector of a class × term count matrix. */
export function classIdf(counts: readonly SparseRow[], nTerms: number, o: CtfidfOptions = {}): Float64Array {
  const f = new Float64Array(nTerms);
  let total = 0;
  for (const row of counts) {
    for (const [t, c] of row) {
      f[t] += c;
      total += c;
    }
  }
  const avg = Math.trunc(counts.length > 0 ? total / counts.length : 0);
  const idf = new Float64Array(nTerms);
  for (let t = 0; t < nTerms; t++) {
    idf[t] = o.bm25Weighting ? Math.log(1 + (avg - f[t] + 0.5) / (f[t] + 0.5)) : Math.log(avg / f[t] + 1);
  }
  return idf;
}

/** c-TF-IDF weights per class. */
export function cTfIdf(counts: readonly SparseRow[], nTerms: number, o: CtfidfOptions = {}): SparseRow[] {
  const idf = classIdf(counts, nTerms, o);
  return counts.map((row) => {
    let sum = 0;
    for (const c of row.values()) sum += c;
    const out: SparseRow = new Map();
    if (sum === 0) return out;
    for (const [t, c] of row) {
      const tf = o.reduceFrequentWords ? Math.sqrt(c / sum) : c / sum;
      out.set(t, tf * idf[t]);
    }
    return out;
  });
}

/** The n highest-weighted terms of a row, best first; ties go to the lower term id. Zero weights are dropped. */
export function topTerms(row: SparseRow, n: number): { term: number; score: number }[] {
  return [...row.entries()]
    .filter(([, s]) => s > 0)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, n)
    .map(([term, score]) => ({ term, score }));
}
