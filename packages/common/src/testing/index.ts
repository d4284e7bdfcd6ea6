/**
 * STAND-INS for what cannot run on this machine — AWS's SageMaker runtime and ECS's credentials endpoint, the
 * GPU's model servers — for tests, benchmarks and `pnpm rehearse`. Never imported by production code (the
 * package-graph check refuses it).
 */
export * from './container-credentials.js';
export * from './fake-model-servers.js';
export * from './fake-names.js';
export * from './sagemaker-async-standin.js';
export * from './serving-router.js';
