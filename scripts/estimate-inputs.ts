/**
 * Regenerates the estimate's measured workload inputs from a local run of full calls: runs the local fleet
 * (`callthemes run`, offline inference) over Motley JSON calls of one quarter, reads the run's metrics and
 * sentences, and rewrites those entries of the price file's `workload` block (each with its arithmetic and this
 * command as the source). Without --write it prints them.
 *   node --import @callthemes/common/register-source scripts/estimate-inputs.ts --input <motley-fool-json dir> \
 *     [--quarter 2021Q2] [--firms 120] [--lake <scratch lake>] [--write packages/producer/data/prices-2026-12.json]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openStore } from '@callthemes/common/lake';
import { loadPriceFile, measuredWorkload, readRunMetrics, runShape } from '@callthemes/producer/estimate';

const { values } = parseArgs({
  options: {
    input: { type: 'string' },
    quarter: { type: 'string', default: '2021Q2' },
    firms: { type: 'string', default: '120' },
    lake: { type: 'string' },
    write: { type: 'string' },
  },
});
if (!values.input) {
  process.stderr.write(
    'usage: scripts/estimate-inputs.ts --input <motley-fool-json dir> [--quarter Q] [--firms N] [--lake L] [--write prices.json]\n',
  );
  process.exit(2);
}
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const lake = values.lake ?? mkdtempSync(join(tmpdir(), 'callthemes-estimate-inputs-'));
const args = [
  'run',
  '--source',
  'motley-json',
  '--input',
  values.input,
  '--quarters',
  values.quarter!,
  '--firms',
  values.firms!,
  '--lake',
  lake,
];
process.stderr.write(`callthemes ${args.join(' ')}\n`);
const run = spawnSync(
  process.execPath,
  [join(root, 'packages', 'producer', 'bin', 'callthemes.js'), ...args],
  {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
if (run.status !== 0) throw new Error(`callthemes run failed (exit ${run.status})`);
const runId = /metrics: _runs\/(.+)\.json/.exec(run.stdout)?.[1];
if (!runId) throw new Error(`no run metrics named in the run's output:\n${run.stdout.slice(-500)}`);
const store = openStore(lake);
const metrics = await readRunMetrics(store, runId);
const shape = await runShape(store, metrics);
const pricesPath = values.write ?? join(root, 'packages', 'producer', 'data', 'prices-2026-12.json');
const prices = loadPriceFile(pricesPath);
const entries = measuredWorkload(shape, {
  command: `scripts/estimate-inputs.ts --quarter ${values.quarter} --firms ${values.firms}`,
  runId,
  date: new Date().toISOString().slice(0, 10),
  ingestCpuSecondsPerFirm: prices.workload.ingestCpuSecondsPerFirm.value,
});
for (const [k, v] of Object.entries(entries))
  process.stdout.write(`${k}: ${v.value} ${v.unit} (${v.basis}) — ${v.source}\n`);
if (values.write) {
  // One entry a line in the file: replace those lines, leave the rest (and its layout) as it is.
  let text = readFileSync(values.write, 'utf8');
  for (const [k, v] of Object.entries(entries)) {
    const line = new RegExp(`^(\\s*)"${k}": \\{.*\\}(,?)$`, 'm');
    if (!line.test(text)) throw new Error(`${values.write}: no one-line "${k}" entry to replace`);
    text = text.replace(
      line,
      (_m, indent: string, comma: string) =>
        `${indent}"${k}": ${JSON.stringify(v).replace(/,"/g, ', "').replace(/":/g, '": ').replace(/^\{/, '{ ').replace(/\}$/, ' }')}${comma}`,
    );
  }
  writeFileSync(values.write, text);
  loadPriceFile(values.write);
  process.stdout.write(`${values.write}: workload entries rewritten from run ${runId}\n`);
}
