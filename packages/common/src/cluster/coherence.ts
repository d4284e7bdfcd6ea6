/**
 * Topic coherence as normalised pointwise mutual information (Bouma 2009; the c_npmi measure of Röder et al.
 * with boolean document co-occurrence): mean over word pairs of log(p(a,b) / (p(a)p(b))) / −log p(a,b),
 * with −1 for pairs that never co-occur. Documents are sets of terms (here: sentences).
 */
export class CooccurrenceIndex {
  private readonly postings = new Map<string, Uint32Array>();
  readonly nDocs: number;

  constructor(docs: readonly (readonly string[])[], wanted?: ReadonlySet<string>) {
    this.nDocs = docs.length;
    const lists = new Map<string, number[]>();
    docs.forEach((doc, i) => {
      for (const t of new Set(doc)) {
        if (wanted && !wanted.has(t)) continue;
        const l = lists.get(t);
        if (l) l.push(i);
        else lists.set(t, [i]);
      }
    });
    for (const [t, l] of lists) this.postings.set(t, Uint32Array.from(l));
  }

  count(term: string): number {
    return this.postings.get(term)?.length ?? 0;
  }

  /** Documents containing both terms (sorted-list intersection). */
  together(a: string, b: string): number {
    const x = this.postings.get(a);
    const y = this.postings.get(b);
    if (!x || !y) return 0;
    let i = 0;
    let j = 0;
    let c = 0;
    while (i < x.length && j < y.length) {
      if (x[i] === y[j]) {
        c++;
        i++;
        j++;
      } else if (x[i] < y[j]) i++;
      else j++;
    }
    return c;
  }

  npmi(a: string, b: string): number {
    const n = this.nDocs;
    const ab = this.together(a, b);
    if (ab === 0 || n === 0) return -1;
    const pab = ab / n;
    const pa = this.count(a) / n;
    const pb = this.count(b) / n;
    if (pab === 1) return 1;
    return Math.log(pab / (pa * pb)) / -Math.log(pab);
  }

  /** Mean NPMI over all pairs of `terms`; NaN with fewer than two terms. */
  topicNpmi(terms: readonly string[]): number {
    let s = 0;
    let c = 0;
    for (let i = 0; i < terms.length; i++) {
      for (let j = i + 1; j < terms.length; j++) {
        s += this.npmi(terms[i], terms[j]);
        c++;
      }
    }
    return c === 0 ? Number.NaN : s / c;
  }
}

/** Share of unique terms among all topics' terms (Dieng et al. 2020 topic diversity). */
export function topicDiversity(topics: readonly (readonly string[])[]): number {
  let total = 0;
  const unique = new Set<string>();
  for (const t of topics) {
    total += t.length;
    for (const w of t) unique.add(w);
  }
  return total === 0 ? Number.NaN : unique.size / total;
}
