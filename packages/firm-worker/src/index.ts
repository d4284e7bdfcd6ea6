/** The firm stage (per firm: fetch → sentences → topics → names → lake parts) and the sentence-sentiment stage. */
export * from './firm-stage.js';
export * from './sentiment-stage.js';
