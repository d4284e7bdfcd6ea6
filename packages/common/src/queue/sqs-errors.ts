/** SQS's answers to a receipt handle that no longer names an in-flight delivery: harmless by the port's rules. */
const STALE_NAMES = new Set(['ReceiptHandleIsInvalid', 'MessageNotInflight', 'InvalidReceiptHandle']);

export function isStaleReceiptError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const name = (err as { name?: string; code?: string }).code ?? err.name;
  if (STALE_NAMES.has(name) || STALE_NAMES.has(err.name)) return true;
  const cause = (err as { cause?: unknown }).cause;
  if (cause && cause !== err && isStaleReceiptError(cause)) return true;
  // Real SQS words an expired handle as InvalidParameterValue "...ReceiptHandle is invalid..."; moto similarly.
  return /receipt ?handle.*(invalid|not.*(exist|available))|message does not exist/i.test(err.message);
}
