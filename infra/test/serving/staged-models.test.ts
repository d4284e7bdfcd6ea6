/**
 * `serve` loads a model from /opt/ml/model/<name> when the staged weights are there (ModelDataSource copies the
 * bucket's models/ prefix, which `pnpm producer stage-models` fills as models/<last part of the hub id>/), and
 * serves it under its hub id either way, so the workers' requests name the same model.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, tempDir } from '@callthemes/common/testing/paths';
import { afterAll, test } from 'vitest';

const SERVING = join(REPO_ROOT, 'infra', 'serving');
const dir = tempDir('callthemes-model-dir-');
afterAll(() => dir.cleanup());

/** serve's upstream commands with its MODEL_DIR pointed at `modelDir`. */
function commands(modelDir: string, env: Record<string, string> = {}): Record<string, string[]> {
  const py = [
    'import json, runpy, sys',
    'm = runpy.run_path(sys.argv[1] + "/serve")',
    'f = m["upstream_commands"]; f.__globals__["MODEL_DIR"] = sys.argv[2]',
    'print(json.dumps(f(json.loads(sys.argv[3]))))',
  ].join('\n');
  return JSON.parse(
    execFileSync('python3', ['-c', py, SERVING, modelDir, JSON.stringify(env)], { encoding: 'utf8' }),
  );
}

const arg = (argv: string[], flag: string) => argv[argv.indexOf(flag) + 1];

test('a staged model is loaded from /opt/ml/model/<name> and served under its hub id; others by hub id', () => {
  mkdirSync(join(dir.path, 'Qwen3-8B-FP8'));
  mkdirSync(join(dir.path, 'finbert-tone'));
  const cmds = commands(dir.path);
  assert.equal(cmds.chat[2], join(dir.path, 'Qwen3-8B-FP8'));
  assert.equal(arg(cmds.chat, '--served-model-name'), 'Qwen/Qwen3-8B-FP8');
  assert.equal(cmds.classify[2], join(dir.path, 'finbert-tone'));
  assert.equal(arg(cmds.classify, '--served-model-name'), 'yiyanghkust/finbert-tone');
  // Not staged: the hub id (with modelSource=staged and network isolation this load fails, as it should).
  assert.equal(cmds.embed[2], 'Qwen/Qwen3-Embedding-8B');
  // Another chat model from the stack's settings is looked up the same way.
  const other = commands(dir.path, { CALLTHEMES_CHAT_MODEL: 'org/Other-8B' });
  assert.deepEqual([other.chat[2], arg(other.chat, '--served-model-name')], ['org/Other-8B', 'org/Other-8B']);
});

test('the GPU split of the default instance: chat 0.50, embed 0.41, classify 0.04 (docs/inference.md)', () => {
  const cmds = commands(dir.path);
  const mem = (k: string) => Number(arg(cmds[k], '--gpu-memory-utilization'));
  assert.deepEqual([mem('chat'), mem('embed'), mem('classify')], [0.5, 0.41, 0.04]);
  // ~45 GiB of the L40S: FP8 chat weights 8.4 GiB + ~2 GiB overhead leave ≥ 10 GiB of KV cache
  // (≥ 70k tokens at 144 KiB per token); the BF16 embedder's 14.1 GiB + ~1.5 GiB fit in its share.
  const gib = 44.99;
  assert.ok(mem('chat') * gib - 8.4 - 2 >= 10);
  assert.ok(mem('embed') * gib - 14.1 - 1.5 >= 2);
  assert.ok(mem('chat') + mem('embed') + mem('classify') <= 0.95 + 1e-9);
});
