/** Every CLI command, registered in this order. Add a command by adding its register function here. */
import type { Command } from 'commander';
import { registerAthenaDdl } from './athena-ddl.js';
import { registerBatches } from './batches.js';
import { registerDiagrams } from './diagrams.js';
import { registerDoctor } from './doctor.js';
import { registerEnqueue, registerRedrive, registerStatus } from './enqueue.js';
import { registerEstimate } from './estimate.js';
import { registerFirmBatch } from './firm-batch.js';
import { registerIngest } from './ingest.js';
import { registerQuery } from './query.js';
import { registerReport } from './report.js';
import { registerRun } from './run.js';
import { registerScorePresets } from './score-presets.js';
import { registerSentiment } from './sentiment.js';
import { registerStageModels } from './stage-models.js';
import { registerThemes } from './themes.js';

export const COMMANDS: ((program: Command) => void)[] = [
  registerIngest,
  registerBatches,
  registerFirmBatch,
  registerThemes,
  registerSentiment,
  registerQuery,
  registerRun,
  registerEnqueue,
  registerStatus,
  registerRedrive,
  registerStageModels,
  registerDoctor,
  registerScorePresets,
  registerAthenaDdl,
  registerEstimate,
  registerDiagrams,
  registerReport,
];
