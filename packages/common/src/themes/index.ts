/** Cross-firm themes: the theme model over topic vectors, validation, keywords, filler, lineage. */
export {
  DEGENERATE_MAX_SHARE,
  DEGENERATE_MIN_THEMES,
  DEGENERATE_MIN_TOPICS,
  degenerateReason,
} from './degenerate.js';
export { CALL_FILLER_WORDS, isFillerTheme } from './filler.js';
export { themeKeywords } from './keywords.js';
export {
  type LineageOptions,
  type LineageSide,
  type LineageTheme,
  type LineageTopic,
  linksFromMatches,
  linkThemes,
  linkThemesStreamed,
  type MatchRow,
  matchEarlierTopics,
  memberThemes,
  type StreamedLineageSide,
  type ThemeLink,
  type TopicMatches,
  type UnitSum,
  unitSumOf,
} from './lineage.js';
export { defaultMinClusterSize, fitThemes, topicVectorRows, topicVectors } from './model.js';
export type {
  Reduction,
  ThemeDraft,
  ThemeModelOptions,
  ThemeModelResult,
  ThemeModelStats,
  TopicRecord,
} from './types.js';
export { type FirmShares, firmShares, type ThemeVerdict, validateTheme } from './validate.js';
