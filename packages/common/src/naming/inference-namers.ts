/**
 * Topic and theme namers for an Inference: the LLM namers over its chat model, falling back to keyword names
 * where the model fails; keyword names when it serves no chat.
 */
import type { ComposedInference } from '../inference/composed.js';
import { KeywordNamer } from './keywords.js';
import { LlmThemeNamer } from './llm-theme-namer.js';
import { LlmTopicNamer } from './llm-topic-namer.js';
import { KeywordThemeNamer } from './theme-keywords.js';
import type { ThemeNamer, TopicNamer } from './types.js';

export function namersFor(
  inference: Pick<ComposedInference, 'chatClient'>,
  o: { log?: (line: string) => void } = {},
): { topicNamer: TopicNamer; themeNamer: ThemeNamer } {
  const chat = inference.chatClient;
  if (!chat) return { topicNamer: new KeywordNamer(), themeNamer: new KeywordThemeNamer() };
  return {
    topicNamer: new LlmTopicNamer({
      client: chat,
      fallback: new KeywordNamer(),
      onFallback: (firm, reason, n) =>
        o.log?.(`${firm}: ${n} topic name(s) fell back to keywords: ${reason}`),
    }),
    themeNamer: new LlmThemeNamer({
      client: chat,
      fallback: new KeywordThemeNamer(),
      onFallback: (q, reason, n) => o.log?.(`${q}: ${n} theme name(s) fell back to keywords: ${reason}`),
    }),
  };
}
