/**
 * `pnpm rehearse [--scenario default|NAME,NAME…|all] [--input DIR] [--quarters R] [--concurrency K]
 * [--partition-size P] [--time-scale F] [--results FILE]`: the AWS path rehearsed on this machine (rehearsal.ts),
 * the scenarios one after another over one build of the artifacts. Progress lines on stderr, each scenario's
 * summary on stdout as it ends, its last line `rehearsal: ok (<name>) … s3://…` or naming the first difference;
 * with several scenarios a summary line each and a last line after them. Exit 0 when every scenario passed, else 1;
 * a missing prerequisite is one line naming its setup command (exit 2). `--results FILE` writes each scenario's
 * exit code as `{"scenarios":{"<name>":0,…}}` (what .ci/run counts).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { rehearse } from './rehearsal.js';
import { SCENARIOS } from './scenarios/index.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const usage =
  'usage: pnpm rehearse [--scenario <name>[,<name>…]|all] [--input DIR] [--quarters R] [--concurrency K] [--partition-size P] [--time-scale F] [--results FILE]';

function fail(line: string, code: number): never {
  process.stderr.write(`rehearse: ${line}\n`);
  process.exit(code);
}

/** What must be installed first, with the command that installs it. */
function missingPrerequisite(cacheDir: string): string | null {
  if (!existsSync(join(REPO_ROOT, '.venv-moto', 'bin', 'moto_server')))
    return 'moto is not installed (.venv-moto): run bash scripts/setup-moto.sh';
  if (!existsSync(join(cacheDir, 'duckdb-extensions')))
    return "DuckDB's httpfs/aws extensions are not installed: run bash scripts/setup-duckdb-extensions.sh";
  if (process.getuid?.() !== 0)
    return 'the artifacts run as uid 1000 as in the images: run pnpm rehearse as root';
  return null;
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      scenario: { type: 'string', default: 'default' },
      input: { type: 'string', default: 'examples/ectsum' },
      source: { type: 'string', default: 'ectsum' },
      quarters: { type: 'string', default: '2021Q1..2021Q2' },
      concurrency: { type: 'string', default: '2' },
      'partition-size': { type: 'string', default: '15' },
      'time-scale': { type: 'string', default: '90' },
      results: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (err) {
  fail(`${(err as Error).message}\n${usage}`, 2);
}
if (values.help) {
  process.stdout.write(
    `${usage}\nscenarios: ${Object.values(SCENARIOS)
      .map((s) => `${s.name} (${s.description})`)
      .join(
        '; ',
      )}\n--scenario all (or a comma-separated list) runs them one after another over one build of the artifacts\nexample: pnpm rehearse --concurrency 2\n`,
  );
  process.exit(0);
}
const asked = String(values.scenario)
  .split(',')
  .map((n) => n.trim())
  .filter(Boolean);
const names = asked.includes('all') ? Object.keys(SCENARIOS) : [...new Set(asked)];
const unknown = names.filter((n) => !SCENARIOS[n]);
if (names.length === 0 || unknown.length > 0)
  fail(
    `unknown scenario "${unknown[0] ?? values.scenario}": expected ${Object.keys(SCENARIOS).join(', ')} (comma-separated) or all\n${usage}`,
    2,
  );
const scenarios = names.map((n) => SCENARIOS[n]);
/**
 * Each scenario's exit code for `--results`, written first with every scenario failed (1) and rewritten as each
 * ends: an invocation that stops early or is killed leaves the scenarios it did not finish counted as failed.
 */
const codes: Record<string, number> = Object.fromEntries(names.map((n) => [n, 1]));
const writeResults = (update: Record<string, number> = {}) => {
  Object.assign(codes, update);
  if (values.results) writeFileSync(String(values.results), `${JSON.stringify({ scenarios: codes })}\n`);
};
const allCode = (code: number) => Object.fromEntries(names.map((n) => [n, code]));
writeResults();
const int = (name: string) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1)
    fail(`invalid --${name} "${values[name]}": expected an integer ≥ 1\n${usage}`, 2);
  return n;
};
const options = {
  input: resolve(String(values.input)),
  source: String(values.source),
  quarters: String(values.quarters),
  concurrency: int('concurrency'),
  partitionSize: int('partition-size'),
  timeScale: int('time-scale'),
};
const missing = missingPrerequisite(resolve(process.env.CALLTHEMES_CACHE_DIR ?? join(REPO_ROOT, '.cache')));
if (missing) {
  writeResults(allCode(2));
  fail(missing, 2);
}
if (!existsSync(options.input)) {
  writeResults(allCode(2));
  fail(`input ${options.input} not found`, 2);
}

const t0 = performance.now();
const stamp = () => {
  const s = Math.round((performance.now() - t0) / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};
process.stderr.write(
  `rehearse: scenario${names.length > 1 ? 's' : ''} ${names.join(', ')}${names.length > 1 ? ' over one build, one after another' : ''}, time ÷ ${options.timeScale} (one factor for every wait)\n`,
);
try {
  const results = await rehearse(
    REPO_ROOT,
    scenarios,
    options,
    (line) => process.stderr.write(`rehearse [${stamp()}] ${line}\n`),
    (r) => {
      process.stdout.write(`${r.lines.join('\n')}\n`);
      writeResults({ [r.scenario]: r.ok ? 0 : 1 });
    },
  );
  const failed = results.filter((r) => !r.ok);
  if (results.length > 1) {
    const seconds = ((performance.now() - t0) / 1000).toFixed(0);
    process.stdout.write(
      `${results.map((r) => `rehearsal summary: ${r.scenario} ${r.ok ? 'ok' : 'FAILED'} in ${r.seconds.toFixed(0)} s`).join('\n')}\n`,
    );
    process.stdout.write(
      failed.length === 0
        ? `rehearsal: all ${results.length} scenarios ok (${names.join(', ')}) in ${seconds} s, one build of the artifacts\n`
        : `rehearsal: FAILED ${failed.length} of ${results.length} scenarios (${failed.map((r) => r.scenario).join(', ')}) in ${seconds} s\n`,
    );
  }
  process.exit(failed.length === 0 ? 0 : 1);
} catch (err) {
  process.stdout.write(`rehearsal: FAILED: ${(err as Error).message.split('\n')[0]}\n`);
  process.exit(1);
}
