/**
 * On AWS, SQS's metrics can lag up to 15 minutes behind a send after an idle spell, so whoever sends work raises
 * the consuming ECS service's desired count itself: the producer and the theme worker for the firm service (the
 * partitions just enqueued), the firm worker (and the producer, for a quarter without firms) for the theme
 * service (1, its only task). A failure is logged, not fatal: the backlog alarm scales the service too, only later.
 */
export async function raiseService(
  what: string,
  service: string,
  atLeast: number,
  max: number | undefined,
  log?: (line: string) => void,
): Promise<void> {
  try {
    // Loaded on demand: the ECS client is not needed by the local backend.
    const { raiseDesiredCount } = await import('../scaling/index.js');
    const r = await raiseDesiredCount({ service, atLeast, max });
    if (r.changed) log?.(`${what} service ${service}: desired count ${r.from} → ${r.to}`);
  } catch (err) {
    log?.(`${what} service ${service}: could not raise its desired count (${(err as Error).message})`);
  }
}
