/** The theme worker: the quarter handler (createWorker), the theme stage and the score tables it writes. */
export { createWorker, type ThemeWorkerDeps } from './quarter-worker.js';
export { type ScoreTable, scoreTableKey, writeScoreTables } from './score-tables.js';
export {
  encodeUnitSum,
  previousThemedQuarter,
  readLineageSide,
  readQuarterTopics,
  THEME_STAGE,
  type TopicReadResult,
  themeManifestKey,
} from './theme-io.js';
export {
  runThemeStage,
  type ThemeStageOptions,
  type ThemeStageResult,
  themeId,
  themeTableKey,
} from './theme-stage.js';
