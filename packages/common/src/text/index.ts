/** Call-speech text: sentence splitting, annotation removal, boilerplate filters, tokens and terms. */
export * from './clean.js';
export * from './filters.js';
export * from './split.js';
export * from './terms.js';
export * from './tokens.js';
