/**
 * STAND-INS for what cannot run on this machine — AWS's SageMaker runtime, ECS's credentials endpoint, SQS's
 * StartMessageMoveTask (moto lacks it), the GPU's model servers — for tests, benchmarks and `pnpm rehearse`, and the
 * helpers the rehearsal shares with the tests (moto, a free port, a command run to its end). Never imported by
 * production code (the package-graph check refuses it).
 */
export { type ContainerCredentials, startContainerCredentials } from './container-credentials.js';
export {
  DEFAULT_FAKE_LATENCY,
  FAKE_MODELS,
  type FakeLatency,
  type FakeModelServerOptions,
  type FakeModelServers,
  projector,
  startFakeModelServers,
} from './fake-model-servers.js';
export { goodNames, lastUserMessage, type NamesAnswer, promptItems } from './fake-names.js';
export { forwardRequest } from './forward-request.js';
export { freePort } from './free-port.js';
export { type Loopback, listenOnLoopback } from './loopback.js';
export {
  type AwsClientConfig,
  MOTO_SERVER_BIN,
  type MotoOptions,
  type MotoServer,
  motoMissing,
  startMotoServer,
} from './moto-server.js';
export { type ProcessOutput, type RunToEndOptions, runToEnd } from './run-to-end.js';
export {
  type Notification,
  type SageMakerAsyncStandin,
  type StandinOptions,
  startSageMakerAsyncStandin,
} from './sagemaker-async-standin.js';
export { SERVE_BIN, type ServingRouter, startServingRouter } from './serving-router.js';
export { type MoveTask, type SqsMoveTaskProxy, startSqsMoveTaskProxy } from './sqs-move-task-proxy.js';
