/**
 * `pnpm rehearse [--scenario default] [--input DIR] [--quarters R] [--concurrency K] [--partition-size P]
 * [--time-scale F]`: the AWS path rehearsed on this machine (rehearsal.ts). Progress lines on stderr, the summary
 * on stdout, its last line `rehearsal: ok … s3://…` (exit 0) or naming the first difference (exit 1); a missing
 * prerequisite is one line naming its setup command (exit 2).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { rehearse } from './rehearsal.js';
import { SCENARIOS } from './scenarios/index.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const usage =
  'usage: pnpm rehearse [--scenario <name>] [--input DIR] [--quarters R] [--concurrency K] [--partition-size P] [--time-scale F]';

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
      .join('; ')}\nexample: pnpm rehearse --concurrency 2\n`,
  );
  process.exit(0);
}
const scenario = SCENARIOS[String(values.scenario)];
if (!scenario)
  fail(`unknown scenario "${values.scenario}": expected ${Object.keys(SCENARIOS).join(', ')}\n${usage}`, 2);
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
if (missing) fail(missing, 2);
if (!existsSync(options.input)) fail(`input ${options.input} not found`, 2);

const t0 = performance.now();
const stamp = () => {
  const s = Math.round((performance.now() - t0) / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};
process.stderr.write(
  `rehearse: scenario ${scenario.name}, time ÷ ${options.timeScale} (one factor for every wait)\n`,
);
try {
  const r = await rehearse(REPO_ROOT, scenario, options, (line) =>
    process.stderr.write(`rehearse [${stamp()}] ${line}\n`),
  );
  process.stdout.write(`${r.lines.join('\n')}\n`);
  process.exit(r.ok ? 0 : 1);
} catch (err) {
  process.stdout.write(`rehearsal: FAILED: ${(err as Error).message.split('\n')[0]}\n`);
  process.exit(1);
}
