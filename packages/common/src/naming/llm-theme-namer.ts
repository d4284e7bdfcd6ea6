/**
 * Theme names from an LLM: a quarter's themes batched into as few requests as the prompt cap allows,
 * each theme shown by its keywords and its most central member topics' names.
 */

import { THEME_NAMING_STAGE } from '../inference/served-models.js';
import {
  type AnswerLimits,
  DEFAULT_ANSWER_LIMITS,
  type LlmNamerOptions,
  nameChunks,
  namesWithFallback,
  packRequests,
  requestLimits,
} from './llm-batch.js';
import { THEME_SYSTEM_PROMPT, truncateText } from './llm-prompts.js';
import type { NamedItem, ThemeNamer, ThemeToName } from './types.js';

export { THEME_NAMING_STAGE };

/** How a theme request's prompt starts and heads its items. */
const THEME_PROMPT = { system: THEME_SYSTEM_PROMPT, itemLabel: 'Theme' };

export interface ThemePromptOptions extends AnswerLimits {
  keywordsPerTheme: number;
  topicNamesPerTheme: number;
  maxTopicNameChars: number;
  /** Themes per request at most (keeps one bad answer from costing a whole quarter). */
  maxThemesPerRequest: number;
}

export const DEFAULT_THEME_PROMPT: ThemePromptOptions = {
  keywordsPerTheme: 8,
  topicNamesPerTheme: 8,
  maxTopicNameChars: 80,
  maxThemesPerRequest: 25,
  ...DEFAULT_ANSWER_LIMITS,
};

/** `onFallback`'s scope is the quarter. */
export type LlmThemeNamerOptions = LlmNamerOptions<ThemePromptOptions, ThemeNamer>;

export function renderTheme(t: ThemeToName, o: ThemePromptOptions): string {
  const names = t.memberTopicNames
    .slice(0, o.topicNamesPerTheme)
    .map((n) => truncateText(n, o.maxTopicNameChars));
  return (
    `Keywords: ${t.keywords.slice(0, o.keywordsPerTheme).join(', ')}\n` +
    `Found in ${t.nTopics} topics of ${t.nFirms} companies; topic names: ${names.join('; ')}`
  );
}

export class LlmThemeNamer implements ThemeNamer {
  readonly options: ThemePromptOptions;

  constructor(private readonly o: LlmThemeNamerOptions) {
    this.options = { ...DEFAULT_THEME_PROMPT, ...o.prompt };
  }

  chunksOf(blocks: readonly string[]): number[][] {
    return packRequests(blocks, THEME_PROMPT, {
      ...this.options,
      maxItems: this.options.maxThemesPerRequest,
    });
  }

  async nameThemes(quarter: string, themes: readonly ThemeToName[]): Promise<NamedItem[]> {
    if (themes.length === 0) return [];
    const o = this.options;
    const blocks = themes.map((t) => renderTheme(t, o));
    const chunks = this.chunksOf(blocks);
    const outcomes = await nameChunks(
      blocks,
      chunks,
      {
        client: this.o.client,
        stage: THEME_NAMING_STAGE,
        ...THEME_PROMPT,
        ...requestLimits(o),
      },
      (c) => `${quarter}#${c + 1}`,
    );
    const { fallback } = this.o;
    return namesWithFallback(
      themes,
      (t) => t.themeId,
      { chunks, outcomes },
      (reason, missing) => this.o.onFallback?.(quarter, reason, missing),
      fallback && ((rest) => fallback.nameThemes(quarter, rest)),
    );
  }
}
