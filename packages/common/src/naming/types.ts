/** The naming seam: keyword names by default, LLM names when a service is configured. */

export type NameSource = 'llm' | 'keywords' | 'fallback';

export interface FirmInfo {
  firmId: string;
  firmName: string | null;
  ticker: string | null;
  quarter: string;
}

export interface TopicToName {
  topicId: string;
  size: number;
  /** Top keywords, best first. */
  keywords: string[];
  /** Texts of the most representative sentences, best first. */
  representativeSentences: string[];
}

export interface NamedItem {
  id: string;
  name: string;
  nameSource: NameSource;
  description: string | null;
}

export interface TopicNamer {
  /** Exactly one NamedItem per topic, in the same order. */
  nameFirmTopics(firm: FirmInfo, topics: readonly TopicToName[]): Promise<NamedItem[]>;
}

export interface ThemeToName {
  themeId: string;
  keywords: string[];
  /** Names of member topics (most central first), as evidence for the theme's name. */
  memberTopicNames: string[];
  nFirms: number;
  nTopics: number;
}

export interface ThemeNamer {
  /** Exactly one NamedItem per theme, in the same order. */
  nameThemes(quarter: string, themes: readonly ThemeToName[]): Promise<NamedItem[]>;
}
