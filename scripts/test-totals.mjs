#!/usr/bin/env node
// Sums vitest's JSON results of every package (test-results.json, written by each package's test run) into the
// one line CI reads: `N passed, N failed, N skipped`, with the rehearsal's scenarios (rehearsal-results.json) one
// test each. A package whose results are missing counts as failed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The first non-empty line of a failure message, at most 300 characters. */
const firstLine = (m) =>
  (m ?? '')
    .split('\n')
    .find((l) => l.trim() !== '')
    ?.trim()
    .slice(0, 300) ?? '(no message)';

const dirs = [...readdirSync('packages').map((d) => join('packages', d)), 'infra'];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const dir of dirs) {
  const file = join(dir, 'test-results.json');
  if (!existsSync(file)) {
    process.stderr.write(`${dir}: no test-results.json (its tests did not run)\n`);
    failed++;
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  // A file that failed without a failing test (it did not load, or a hook threw) counts as one failure.
  const brokenFiles = r.testResults.filter(
    (f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed'),
  ).length;
  failed += r.numFailedTests + brokenFiles;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  process.stdout.write(
    `${dir}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped\n`,
  );
  // Each failure by name with the first line of its reason: CI keeps only the end of the output.
  for (const f of r.testResults.filter((f) => f.status === 'failed')) {
    const file = f.name.slice(f.name.indexOf(dir));
    const failing = f.assertionResults.filter((a) => a.status === 'failed');
    if (failing.length === 0) process.stdout.write(`  failed: ${file}: ${firstLine(f.message)}\n`);
    for (const a of failing)
      process.stdout.write(`  failed: ${file} › ${a.fullName}: ${firstLine(a.failureMessages?.[0])}\n`);
  }
}
// The rehearsal's scenarios (`pnpm rehearse --results`, run by .ci/run, writes their exit codes): each one test.
if (existsSync('rehearsal-results.json')) {
  const { scenarios } = JSON.parse(readFileSync('rehearsal-results.json', 'utf8'));
  for (const [name, code] of Object.entries(scenarios)) {
    if (code === 0) passed++;
    else failed++;
    process.stdout.write(`rehearsal ${name}: ${code === 0 ? 'passed' : `failed (exit ${code})`}\n`);
  }
}
process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
