/** The fleet's messages (partition, theme): schemas, parsing, encoding. */
export * from './fleet-messages.js';
