/**
 * Topic names from an LLM: one request per firm naming all its topics (split only past a prompt-token cap).
 * Each topic is shown by its top keywords and its most representative sentences, shortened so a typical firm
 * fits a target prompt size. Topics without a valid answer get keyword names flagged `fallback`.
 */

import { TOPIC_NAMING_STAGE } from '../inference/served-models.js';
import { type ForbiddenTerm, forbiddenIn, forbiddenTermsFor, maskFirmTerms } from './firm-terms.js';
import {
  type AnswerLimits,
  DEFAULT_ANSWER_LIMITS,
  estimateBatchPromptTokens,
  type LlmNamerOptions,
  nameChunks,
  namesWithFallback,
  packRequests,
  requestLimits,
} from './llm-batch.js';
import { TOPIC_SYSTEM_PROMPT, truncateText } from './llm-prompts.js';
import type { FirmInfo, NamedItem, TopicNamer, TopicToName } from './types.js';

export { TOPIC_NAMING_STAGE };

/** How a topic request's prompt starts and heads its items. */
const TOPIC_PROMPT = { system: TOPIC_SYSTEM_PROMPT, itemLabel: 'Topic' };

export interface TopicPromptOptions extends AnswerLimits {
  keywordsPerTopic: number;
  sentencesPerTopic: number;
  /** Sentences are cut to this many characters at most… */
  maxSentenceChars: number;
  /** …and shortened down to this many when the firm's prompt would pass `targetPromptTokens`. */
  minSentenceChars: number;
  targetPromptTokens: number;
}

export const DEFAULT_TOPIC_PROMPT: TopicPromptOptions = {
  keywordsPerTopic: 6,
  sentencesPerTopic: 3,
  maxSentenceChars: 220,
  minSentenceChars: 70,
  targetPromptTokens: 1500,
  ...DEFAULT_ANSWER_LIMITS,
};

/** `onFallback`'s scope is the firm id. */
export type LlmTopicNamerOptions = LlmNamerOptions<TopicPromptOptions, TopicNamer>;

/**
 * A topic as the model sees it: its top keywords and representative sentences, without the firm's own name or
 * ticker (keywords that are one are left out; in sentences they read "the company"): names may not contain them,
 * and a model shown them tends to name every topic after the firm.
 */
export function renderTopic(
  t: TopicToName,
  o: TopicPromptOptions,
  sentenceChars: number,
  firmTerms: readonly ForbiddenTerm[] = [],
): string {
  const kws = t.keywords
    .filter((k) => forbiddenIn(k, firmTerms).length === 0)
    .slice(0, o.keywordsPerTopic)
    .join(', ');
  const sents = t.representativeSentences
    .slice(0, o.sentencesPerTopic)
    .map((s) => `- ${truncateText(maskFirmTerms(s, firmTerms), sentenceChars)}`);
  return `Keywords: ${kws}\nSentences:\n${sents.join('\n')}`;
}

export class LlmTopicNamer implements TopicNamer {
  readonly options: TopicPromptOptions;

  constructor(private readonly o: LlmTopicNamerOptions) {
    this.options = { ...DEFAULT_TOPIC_PROMPT, ...o.prompt };
  }

  /** The prompt blocks for a firm, shortened to the target size, then split into requests under the cap. */
  plan(firm: FirmInfo, topics: readonly TopicToName[]): { blocks: string[]; chunks: number[][] } {
    const o = this.options;
    const terms = forbiddenTermsFor(firm);
    const render = (chars: number) => topics.map((t) => renderTopic(t, o, chars, terms));
    const size = (chars: number) => estimateBatchPromptTokens({ ...TOPIC_PROMPT, blocks: render(chars) });
    let chars = o.maxSentenceChars;
    while (chars > o.minSentenceChars && size(chars) > o.targetPromptTokens)
      chars = Math.max(o.minSentenceChars, chars - 10);
    const blocks = render(chars);
    return { blocks, chunks: packRequests(blocks, TOPIC_PROMPT, o) };
  }

  async nameFirmTopics(firm: FirmInfo, topics: readonly TopicToName[]): Promise<NamedItem[]> {
    if (topics.length === 0) return [];
    const o = this.options;
    const { blocks, chunks } = this.plan(firm, topics);
    const forbidden = forbiddenTermsFor(firm);
    const outcomes = await nameChunks(
      blocks,
      chunks,
      {
        client: this.o.client,
        stage: TOPIC_NAMING_STAGE,
        ...TOPIC_PROMPT,
        forbidden,
        ...requestLimits(o),
      },
      () => `${firm.firmId}:${firm.quarter}`,
    );
    const { fallback } = this.o;
    return namesWithFallback(
      topics,
      (t) => t.topicId,
      { chunks, outcomes },
      (reason, missing) => this.o.onFallback?.(firm.firmId, reason, missing),
      fallback && ((rest) => fallback.nameFirmTopics(firm, rest)),
    );
  }
}
