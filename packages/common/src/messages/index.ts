/** The fleet's messages (partition, theme): schemas, parsing, encoding. */
export {
  encodeMessage,
  MAX_MESSAGE_BYTES,
  MalformedMessageError,
  type PartitionMessage,
  parsePartitionMessage,
  parseThemeMessage,
  partitionMessageSchema,
  type SourceSpec,
  sourceSpecSchema,
  type ThemeMessage,
  themeMessageSchema,
} from './fleet-messages.js';
