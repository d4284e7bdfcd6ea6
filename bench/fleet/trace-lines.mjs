/**
 * A preload that timestamps every stdout/stderr line of each process it is loaded into, one file per pid in
 * $CALLTHEMES_TRACE_DIR (default: the OS temp dir), so the CLI's and every worker's lines can be merged on one
 * clock; it also logs each read of the word vectors' binary cache (`vectors.f32`), to count loads per process.
 *
 * Usage: CALLTHEMES_TRACE_DIR=<dir> NODE_OPTIONS="--import ./bench/fleet/trace-lines.mjs" pnpm -s callthemes run ...
 *        then: cat <dir>/trace-*.log | sort -n   (fields: Date.now() ms, script, out|err|boot|exit|vectors, text)
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const file = join(process.env.CALLTHEMES_TRACE_DIR || tmpdir(), `trace-${process.pid}.log`);
const who = basename(process.argv[1] ?? 'node');
const put = (tag, text) => fs.appendFileSync(file, `${Date.now()} ${who} ${tag} ${text}\n`);
put('boot', `timeOrigin ${Math.round(performance.timeOrigin)}`);
for (const [tag, stream] of [
  ['out', process.stdout],
  ['err', process.stderr],
]) {
  const write = stream.write.bind(stream);
  stream.write = (chunk, ...rest) => {
    for (const line of String(chunk).split('\n')) if (line) put(tag, line.slice(0, 300));
    return write(chunk, ...rest);
  };
}
// Named imports of node:fs bind to the patched function only after syncBuiltinESMExports.
const readFileSync = fs.readFileSync;
fs.readFileSync = function (path, ...rest) {
  if (String(path).endsWith('vectors.f32')) put('vectors', String(path));
  return readFileSync.call(this, path, ...rest);
};
syncBuiltinESMExports();
process.on('exit', (code) => put('exit', String(code)));
