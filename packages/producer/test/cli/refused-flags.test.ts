/**
 * Every command refuses a flag it does not read: unknown flags (those of the retired single-job design) and
 * flags that mean nothing with the others given. In process: commander's parse and the checks before any work.
 */
import assert from 'node:assert/strict';
import { EXAMPLES_ECTSUM } from '@callthemes/common/testing/paths';
import { afterEach, beforeEach, test } from 'vitest';
import { buildProgram, main } from '../../src/cli/program.js';

let stderr = '';
const write = process.stderr.write.bind(process.stderr);
beforeEach(() => {
  stderr = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
});
afterEach(() => {
  process.stderr.write = write;
});

const SOURCE = ['--source', 'ectsum', '--input', EXAMPLES_ECTSUM];

/** Flags a command does not read at all: commander refuses them as unknown. */
const UNKNOWN: [string, string[], string][] = [
  ['themes reads no source', ['themes', '--quarter', '2021Q2', ...SOURCE], '--source'],
  [
    'themes reads no capiq flag',
    ['themes', '--quarter', '2021Q2', '--pg-url', 'postgresql://h/db'],
    '--pg-url',
  ],
  [
    'themes embeds keywords offline',
    ['themes', '--quarter', '2021Q2', '--embed-url', 'http://h'],
    '--embed-url',
  ],
  ['sentiment reads no source', ['sentiment', '--quarter', '2021Q2', '--input', 'x'], '--input'],
  ['sentiment names nothing', ['sentiment', '--quarter', '2021Q2', '--llm-url', 'http://h'], '--llm-url'],
  ['sentiment embeds nothing', ['sentiment', '--quarter', '2021Q2', '--embed-model', 'e'], '--embed-model'],
  [
    'run has only process workers',
    ['run', '--quarters', '2021Q2', ...SOURCE, '--workers', 'process'],
    '--workers',
  ],
];

const REFUSED: [string, string[], RegExp][] = [
  ...UNKNOWN.map(([what, argv, flag]): [string, string[], RegExp] => [
    what,
    argv,
    new RegExp(`unknown option '${flag}'`),
  ]),
  [
    'capiq flags with another source',
    ['batches', '--quarter', '2021Q2', ...SOURCE, '--pg-url', 'postgresql://h/db', '--capiq-schema', 's'],
    /^error: --pg-url, --capiq-schema only apply to --source capiq$/m,
  ],
  [
    'classifier settings without a served classifier',
    ['sentiment', '--quarter', '2021Q2', '--sentiment-api', 'tei', '--sentiment-batch-size', '8'],
    /^error: --sentiment-api, --sentiment-batch-size only apply with --sentiment-url/m,
  ],
  [
    'estimate reads a lake only for a run',
    ['estimate', '--firms', '100', '--quarters', '8', '--lake', 'x'],
    /^error: --lake only apply with --from-run$/m,
  ],
  [
    'diagrams: an image format without --render',
    ['diagrams', '--out', 'x', '--no-cloud', '--image', 'png'],
    /^error: --image only apply with --render$/m,
  ],
  [
    'diagrams: a template with --no-cloud',
    ['diagrams', '--out', 'x', '--no-cloud', '--cdk-out', 'cdk.out'],
    /^error: --cdk-out mean nothing with --no-cloud$/m,
  ],
  [
    'doctor: CDK context with a template given',
    ['doctor', '--template', 'x.json', '-c', 'callthemes:maxAzs=2'],
    /^error: --context only apply when the app is synthesized \(no --template or --cdk-out\)$/m,
  ],
  [
    'the run refuses them too',
    ['run', '--quarters', '2021Q2', ...SOURCE, '--sentiment-model', 'finbert'],
    /^error: --sentiment-model only apply with --sentiment-url/m,
  ],
];

for (const [what, argv, reason] of REFUSED)
  test(`exit 2 with the reason and the usage: ${what}`, async () => {
    const code = await main(argv);
    assert.equal(code, 2, stderr);
    assert.match(stderr, reason);
    assert.match(stderr, new RegExp(`Usage: callthemes ${argv[0]} \\[options\\]`));
  });

test('--help lists only the flags a command reads', () => {
  const help = (name: string) => {
    const cmd = buildProgram().commands.find((c) => c.name() === name);
    assert.ok(cmd, name);
    return cmd.options.map((o) => o.long);
  };
  const themes = help('themes');
  for (const f of ['--source', '--input', '--pg-url', '--embed-url', '--embed-model'])
    assert.ok(!themes.includes(f), f);
  assert.ok(themes.includes('--llm-url') && themes.includes('--llm-model'));
  const sentiment = help('sentiment');
  for (const f of ['--source', '--capiq-schema', '--llm-url', '--llm-model', '--embed-url'])
    assert.ok(!sentiment.includes(f), f);
  assert.ok(sentiment.includes('--sentiment-url'));
  const run = help('run');
  assert.ok(!run.includes('--workers'));
  for (const f of ['--source', '--llm-url', '--embed-url', '--sentiment-url', '--sentiment-label-map'])
    assert.ok(run.includes(f), f);
});
