/**
 * The in-memory listing a file-backed source builds once: firms per quarter (sorted by firm id, each once) and
 * the rejects found while listing. Shared by the file-per-call and JSON-lines sources.
 */
import type { Quarter } from '../config/quarter.js';
import type { FirmListing, FirmRef, SourceReject } from './types.js';

export interface ListingIndex {
  byQuarter: Map<Quarter, FirmRef[]>;
  rejects: SourceReject[];
}

export function addListing(byQuarter: Map<Quarter, FirmRef[]>, ref: FirmRef): void {
  const list = byQuarter.get(ref.quarter);
  if (list) list.push(ref);
  else byQuarter.set(ref.quarter, [ref]);
}

/** Sorts every quarter's firms by id, so listings and batches are stable across runs. */
export function sortListings(byQuarter: Map<Quarter, FirmRef[]>): void {
  for (const list of byQuarter.values())
    list.sort((a, b) => (a.firmId < b.firmId ? -1 : a.firmId > b.firmId ? 1 : 0));
}

export function listingOf(index: ListingIndex, quarter: Quarter): FirmListing {
  return {
    firms: [...(index.byQuarter.get(quarter) ?? [])],
    rejects: index.rejects.filter((r) => r.quarter === quarter),
  };
}

/** Rejects that belong to no quarter (names or rows that could not be placed at all). */
export function unplacedRejectsOf(index: ListingIndex): SourceReject[] {
  return index.rejects.filter((r) => r.quarter === null);
}

/** A source that lists its input once, on first use, and answers listings from that index. */
export abstract class IndexedSource<I extends ListingIndex> {
  private index: Promise<I> | undefined;

  protected abstract buildIndex(): Promise<I>;

  protected getIndex(): Promise<I> {
    this.index ??= this.buildIndex();
    return this.index;
  }

  async listFirms(quarter: Quarter): Promise<FirmListing> {
    return listingOf(await this.getIndex(), quarter);
  }

  /** Files or lines that could not be placed in any quarter. */
  async unplacedRejects(): Promise<SourceReject[]> {
    return unplacedRejectsOf(await this.getIndex());
  }
}
