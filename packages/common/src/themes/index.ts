/** Cross-firm themes: the theme model over topic vectors, validation, keywords, filler, lineage. */
export * from './filler.js';
export * from './keywords.js';
export * from './lineage.js';
export * from './model.js';
export * from './types.js';
export * from './validate.js';
