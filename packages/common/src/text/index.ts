/** Call-speech text: sentence splitting, annotation removal, boilerplate filters, tokens and terms. */
export { removeAnnotations } from './clean.js';
export {
  boilerplateFilter,
  DEFAULT_FILTER_OPTIONS,
  FILTER_NAMES,
  type FilterName,
  type FilterOptions,
} from './filters.js';
export { splitSentences } from './split.js';
export { contentText, type TermOptions, termsOf } from './terms.js';
export { countWordTokens, ngrams, tokenize } from './tokens.js';
