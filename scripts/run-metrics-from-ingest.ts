/**
 * Writes `<lake>/_runs/<run_id>.json` for a run that only ingested (`callthemes ingest` writes no metrics file),
 * from the rows that run wrote to the firms table, so `callthemes estimate --from-run <run_id>` can use it.
 *   node --import @callthemes/common/register-source scripts/run-metrics-from-ingest.ts --lake ./lake [--run <run_id>]   (default: the latest ingest run)
 */
import { parseArgs } from 'node:util';
import { openStore } from '@callthemes/common/lake';
import { LakeQuery } from '@callthemes/common/query';
import { ingestRunMetrics, runMetricsKey } from '@callthemes/producer/estimate';

const { values } = parseArgs({
  options: { lake: { type: 'string', default: './lake' }, run: { type: 'string' } },
});
const store = openStore(values.lake!);
let runId = values.run;
if (!runId) {
  const q = await LakeQuery.open(store);
  const [row] = await q.rows('SELECT run_id FROM firms GROUP BY run_id ORDER BY run_id DESC LIMIT 1');
  q.close();
  if (!row) throw new Error(`no firms rows in ${values.lake}: run callthemes ingest first`);
  runId = String(row.run_id);
}
const metrics = await ingestRunMetrics(store, runId);
await store.putText(runMetricsKey(runId), `${JSON.stringify(metrics, null, 2)}\n`);
process.stdout.write(
  `${store.root}/${runMetricsKey(runId)}: ${metrics.counts.firms} firms, ${metrics.counts.sentences} sentences, ` +
    `mean ${metrics.firmCpuSeconds.mean.toFixed(4)} s/firm (p50 ${metrics.firmSeconds.p50.toFixed(4)}, p90 ${metrics.firmSeconds.p90.toFixed(4)})\n`,
);
