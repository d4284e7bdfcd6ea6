/** What the progress display and the summary know of a stage: its name, its unit, and a line per item. */

/** One finished item (a firm) of a partition, as the progress display and the metrics see it. */
export interface ItemEvent {
  stage: string;
  quarter: string;
  itemId: string;
  ok: boolean;
  /** Wall seconds of the item. */
  seconds: number;
  /** Rows written for the item, by what they are (sentences, topics, labels...). */
  counts: Record<string, number>;
  reason?: string;
}

export interface StageView {
  name: string;
  /** What one item is called in progress lines ("firms"). */
  unit: string;
  /** The plain progress line after an item, or null for none. */
  describeItem(e: ItemEvent): string | null;
}

const seconds = (s: number) => `${s.toFixed(2)} s`;

export const FIRM_VIEW: StageView = {
  name: 'firm',
  unit: 'firms',
  describeItem: (e) =>
    e.ok
      ? `${e.itemId} ${e.quarter}: ${e.counts.sentences} sentences, ${e.counts.topics} topics, ${seconds(e.seconds)}`
      : `reject ${e.itemId} ${e.quarter}: ${e.reason}`,
};

export const THEMES_VIEW: StageView = { name: 'themes', unit: 'firms', describeItem: () => null };
