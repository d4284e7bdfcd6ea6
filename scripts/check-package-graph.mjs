#!/usr/bin/env node
// Fails (exit 1) on a cycle in the workspace package graph, or on an edge DESIGN forbids. turbo only warns on
// cycles; this reads every workspace package.json (dependencies and devDependencies) and the imports in src/;
// and on a cycle among the folders of packages/common/src.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const DIRS = [...readdirSync('packages').map((d) => join('packages', d)), 'infra'];
// Runtime edges DESIGN allows (producer starts the workers locally; nothing depends on producer or infra).
const ALLOWED = {
  '@callthemes/common': [],
  '@callthemes/firm-worker': ['@callthemes/common'],
  '@callthemes/theme-worker': ['@callthemes/common'],
  '@callthemes/producer': ['@callthemes/common', '@callthemes/firm-worker', '@callthemes/theme-worker'],
  '@callthemes/infra': ['@callthemes/common'],
};

const pkgs = new Map();
for (const dir of DIRS) {
  const pj = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const internal = (deps = {}) => Object.keys(deps).filter((d) => d.startsWith('@callthemes/'));
  pkgs.set(pj.name, { dir, deps: internal(pj.dependencies), devDeps: internal(pj.devDependencies) });
}

const problems = [];
// Cycles over all edges (dev included: turbo's ^build follows both).
const state = new Map();
const visit = (name, path) => {
  if (state.get(name) === 'done') return;
  if (state.get(name) === 'open') {
    problems.push(`cycle: ${[...path.slice(path.indexOf(name)), name].join(' → ')}`);
    return;
  }
  state.set(name, 'open');
  const p = pkgs.get(name);
  for (const d of [...(p?.deps ?? []), ...(p?.devDeps ?? [])]) visit(d, [...path, name]);
  state.set(name, 'done');
};
for (const name of pkgs.keys()) visit(name, []);

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.(ts|js|mjs)$/.test(n) ? [p] : [];
  });
}
for (const [name, p] of pkgs) {
  const allowed = ALLOWED[name];
  if (!allowed) {
    problems.push(`${name}: not in the design's package list`);
    continue;
  }
  for (const d of p.deps) if (!allowed.includes(d)) problems.push(`${name} depends on ${d} (not allowed)`);
  // What src/ imports must be declared, and allowed, too.
  for (const file of sourceFiles(join(p.dir, 'src'))) {
    // The stand-ins (common/testing) serve tests and the rehearsal only, never production code.
    if (!/common\/src\/testing\/|infra\/src\/rehearse\//.test(file.replaceAll('\\', '/'))) {
      const text = readFileSync(file, 'utf8');
      if (/from '(?:@callthemes\/common\/testing|(?:\.\.\/)+testing\/)/.test(text))
        problems.push(
          `${file} imports the stand-ins (@callthemes/common/testing): only tests and the rehearsal may`,
        );
    }
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(@callthemes\/[^/']+)/g)) {
      if (m[1] === name) continue;
      if (!allowed.includes(m[1])) problems.push(`${file} imports ${m[1]} (not allowed for ${name})`);
      else if (!p.deps.includes(m[1]))
        problems.push(`${file} imports ${m[1]}, not in ${name}'s dependencies`);
    }
  }
}

// Inside common, the folders behind its subpaths import each other without a cycle (DESIGN: generic code below
// domain code; a cycle means two concerns that cannot be read apart).
const COMMON_SRC = join('packages', 'common', 'src');
const folderDeps = new Map();
for (const file of sourceFiles(COMMON_SRC)) {
  const folder = file.slice(COMMON_SRC.length + 1).split(/[\\/]/)[0];
  if (!statSync(join(COMMON_SRC, folder)).isDirectory()) continue;
  const deps = folderDeps.get(folder) ?? new Set();
  // Type-only imports are left out: they load nothing (lake's rejects writer names the sources' reject type).
  const text = readFileSync(file, 'utf8').replace(/^import type [^;]*;/gm, '');
  for (const m of text.matchAll(/(?:from|import\()\s*'\.\.\/([a-z-]+)\//g))
    if (m[1] !== folder) deps.add(m[1]);
  folderDeps.set(folder, deps);
}
const folderState = new Map();
const visitFolder = (name, path) => {
  if (folderState.get(name) === 'done') return;
  if (folderState.get(name) === 'open') {
    problems.push(
      `common folders import in a cycle: ${[...path.slice(path.indexOf(name)), name].join(' → ')}`,
    );
    return;
  }
  folderState.set(name, 'open');
  for (const d of folderDeps.get(name) ?? []) visitFolder(d, [...path, name]);
  folderState.set(name, 'done');
};
for (const name of folderDeps.keys()) visitFolder(name, []);

if (problems.length > 0) {
  for (const line of problems) process.stderr.write(`package graph: ${line}\n`);
  process.exit(1);
}
const edges = [...pkgs.values()].reduce((n, p) => n + p.deps.length + p.devDeps.length, 0);
process.stdout.write(
  `package graph: ${pkgs.size} packages, ${edges} internal edges, no cycle, every edge allowed; ` +
    `${folderDeps.size} folders of common, no cycle\n`,
);
