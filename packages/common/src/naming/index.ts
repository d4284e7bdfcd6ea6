/** Topic and theme names: keyword names, and LLM namers with validated, cached, budgeted batches. */
export {
  FIRM_PLACEHOLDER,
  type ForbiddenTerm,
  forbiddenIn,
  forbiddenTermsFor,
  maskFirmTerms,
} from './firm-terms.js';
export { namersFor } from './inference-namers.js';
export { FALLBACK_KEYWORDS, fallbackItem, keywordFallbackName } from './keyword-fallback.js';
export { KeywordNamer, keywordName } from './keywords.js';
export {
  type AnswerLimits,
  answerSchema,
  type BatchOutcome,
  type BatchSpec,
  cleanName,
  DEFAULT_ANSWER_LIMITS,
  DESCRIPTION_MAX_CHARS,
  ENTRY_MAX_TOKENS,
  estimateBatchPromptTokens,
  fillFallbacks,
  itemProblems,
  maxTokensFor,
  mergeOutcomes,
  NAME_MAX_CHARS,
  type NamedAnswer,
  nameBatch,
  type PackLimits,
  packChunks,
  REPAIR_NOTE,
  requestLimits,
  userPrompt,
} from './llm-batch.js';
export { THEME_SYSTEM_PROMPT, TOPIC_SYSTEM_PROMPT, truncateText } from './llm-prompts.js';
export {
  DEFAULT_THEME_PROMPT,
  LlmThemeNamer,
  type LlmThemeNamerOptions,
  renderTheme,
  THEME_NAMING_STAGE,
  type ThemePromptOptions,
} from './llm-theme-namer.js';
export {
  DEFAULT_TOPIC_PROMPT,
  LlmTopicNamer,
  type LlmTopicNamerOptions,
  renderTopic,
  TOPIC_NAMING_STAGE,
  type TopicPromptOptions,
} from './llm-topic-namer.js';
export { KeywordThemeNamer, themeKeywordName } from './theme-keywords.js';
export type {
  FirmInfo,
  NamedItem,
  NameSource,
  ThemeNamer,
  ThemeToName,
  TopicNamer,
  TopicToName,
} from './types.js';
