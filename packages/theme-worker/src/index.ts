/** The theme stage: a quarter's topics → themes → validation → names → lineage, and its lake reads. */
export * from './theme-io.js';
export * from './theme-stage.js';
