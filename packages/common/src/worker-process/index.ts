/** A worker process's main: argv, the consume loop, signals and exit codes (the programs' wiring, not the flow's). */
export { runWorkerMain, type WorkerContext, type WorkerProgram, workerUsage } from './worker-main.js';
