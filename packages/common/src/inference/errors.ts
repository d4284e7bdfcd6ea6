/** Errors of the Inference port. They extend LlmError and are not retryable by the client's retry loop. */
import { LlmError } from '../llm/errors.js';

/** SageMaker wrote a failure object, or the invocation's answer is not what the schema says. */
export class InferenceFailedError extends LlmError {
  override name = 'InferenceFailedError';
}

/** No output or failure object within the deadline (cold start + InvocationTimeoutSeconds). */
export class InferenceTimeoutError extends LlmError {
  override name = 'InferenceTimeoutError';
}

/**
 * The endpoint has a backlog and no capacity (scaling up from zero): the worker should release its partition
 * (visibility back to 0) instead of completing it on fallback names. Naming rethrows it instead of falling back
 * (`releasePartition` is what llm-batch looks for, so naming needs no import of this module).
 */
export class EndpointScalingError extends LlmError {
  override name = 'EndpointScalingError';
  readonly releasePartition = true;
  constructor(
    message: string,
    readonly waitedMs: number,
  ) {
    super(message);
  }
}

/** The adapter has no such model (offline has no chat model). */
export class InferenceUnsupportedError extends LlmError {
  override name = 'InferenceUnsupportedError';
}

/** True for errors that must release the partition rather than be absorbed per firm. */
export function releasesPartition(err: unknown): boolean {
  return Boolean(
    err && typeof err === 'object' && (err as { releasePartition?: unknown }).releasePartition === true,
  );
}
