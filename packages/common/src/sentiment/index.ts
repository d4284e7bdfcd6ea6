/** Sentence sentiment labels: the offline finance lexicon, a served classifier, and their evaluation. */
export * from './evaluate.js';
export * from './finance-terms.js';
export * from './http-classifier.js';
export * from './lexicon-classifier.js';
export * from './service-calls.js';
export * from './types.js';
export * from './vader-lexicon.js';
