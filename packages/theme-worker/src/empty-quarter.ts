/**
 * A quarter with no firm that completed (no calls in the source, or every firm rejected) is a normal outcome of
 * a long plan: it is recorded as themed with 0 themes, and the plan goes on. Its theme tables and manifest are
 * removed (an earlier run may have left some), so the next quarter's lineage links to the last quarter that
 * has themes.
 */
import type { LakeStore } from '@callthemes/common/lake';
import { rejectsKey } from '@callthemes/common/lake';
import { scoreTableKey } from './score-tables.js';
import { THEME_STAGE, themeManifestKey } from './theme-io.js';
import { themeTableKey } from './theme-stage.js';

export async function clearQuarterThemes(store: LakeStore, quarter: string): Promise<void> {
  // The manifest first: without it no reader or lineage step takes the quarter for themed.
  await store.delete([themeManifestKey(quarter)]);
  await store.delete([
    themeTableKey('themes', quarter),
    themeTableKey('topic_themes', quarter),
    themeTableKey('theme_links', quarter),
    scoreTableKey('theme_sentiment', quarter),
    scoreTableKey('firm_theme_sentiment', quarter),
    rejectsKey(quarter, THEME_STAGE, null),
  ]);
}
