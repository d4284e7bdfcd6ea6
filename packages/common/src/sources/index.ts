/** Transcript sources (ECTSum, Motley-style JSON, JSON lines; Capital IQ under ./capiq), listings, batches. */

export { EctsumSource } from './ectsum.js';
export { parseStem, type StemInfo } from './file-names.js';
export { decodeUtf8, FileSource, type ParsedFile } from './file-source.js';
export { type InputFiles, isS3Input, openInputFiles } from './input-files.js';
export { type InputUpload, inputTarget, uploadInput } from './input-upload.js';
export { JsonlSource, type JsonlTranscript, jsonlTranscriptSchema } from './jsonl.js';
export {
  addListing,
  IndexedSource,
  type ListingIndex,
  listingOf,
  sortListings,
  unplacedRejectsOf,
} from './listing-index.js';
export { MotleyJsonSource } from './motley-json.js';
export { describePartitions, type PartitionSpec, partitionCount, partitionFirms } from './partitions.js';
export {
  type PreparedSentence,
  type PreparedTranscript,
  prepareSentences,
  sentenceId,
} from './prepare-sentences.js';
export {
  createSource,
  registerSource,
  type SourceOptions,
  sourceKinds,
  unplacedRejects,
} from './registry.js';
export { normalizeName, type Participant, parseParticipant, RoleResolver } from './speaker-roles.js';
export {
  type Component,
  type FetchResult,
  type FirmListing,
  type FirmRef,
  SECTIONS,
  type Section,
  type SourceReject,
  SPEAKER_ROLES,
  type SpeakerRole,
  type Transcript,
  TranscriptError,
  type TranscriptSource,
} from './types.js';
