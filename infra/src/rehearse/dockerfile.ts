/**
 * What the worker Dockerfile says about a target image's filesystem and process, read so the rehearsal can build
 * the same filesystem without Docker and start it the same way. Only what the rehearsal can reproduce is accepted:
 * any other instruction in the final stage is an error, so a Dockerfile change the rehearsal would silently
 * ignore fails `infra/test/worker-artifacts.test.ts` instead.
 */

export interface ImageSpec {
  /** The final stage's WORKDIR: the task's working directory. */
  workdir: string;
  /** The final stage's ENV. */
  env: Record<string, string>;
  /** The final stage's USER (numeric). */
  user: number;
  /** The final stage's exec-form CMD. */
  cmd: string[];
  /** The final stage's `COPY --from=<stage> <src> <dest>` lines. */
  copies: { from: string; src: string; dest: string }[];
  /** The build stages' RUN commands, in order. */
  buildRuns: string[];
}

/** Instructions the rehearsal reproduces in the final stage (the others would change the image unseen). */
const FINAL_STAGE = new Set(['FROM', 'ENV', 'WORKDIR', 'COPY', 'USER', 'CMD', 'ARG', 'LABEL']);

/** Logical lines: comments and parser directives dropped, `\` continuations joined. */
function instructions(text: string): { op: string; args: string }[] {
  const out: { op: string; args: string }[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (!full) continue;
    const m = /^(\S+)\s*(.*)$/.exec(full)!;
    out.push({ op: m[1].toUpperCase(), args: m[2] });
  }
  return out;
}

function parseEnv(args: string, into: Record<string, string>): void {
  // `ENV k=v k2="v 2"` (the legacy `ENV k v` form is refused: ambiguous to read back).
  const re = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g;
  let seen = 0;
  for (const m of args.matchAll(re)) {
    into[m[1]] = m[2].startsWith('"') ? JSON.parse(m[2]) : m[2];
    seen += m[0].length;
  }
  if (seen === 0) throw new Error(`ENV ${args}: use the key=value form`);
}

interface Stage {
  name: string | null;
  /** An earlier stage this one starts from (`FROM <stage> AS …`), else null (an image). */
  base: string | null;
  instructions: { op: string; args: string }[];
}

/**
 * The image `target` builds (a stage's name; default the last stage): its stage and the stages it starts from
 * make the image, and the stages it copies from (with theirs, transitively) are its build stages.
 */
export function parseDockerfile(text: string, name = 'Dockerfile', target?: string): ImageSpec {
  const stages: Stage[] = [];
  for (const ins of instructions(text)) {
    if (ins.op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args.replace(/^--platform=\S+\s+/, ''));
      if (!m) throw new Error(`${name}: FROM ${ins.args}: expected \`FROM <image> [AS <name>]\``);
      stages.push({
        name: m[2] ?? null,
        base: stages.some((st) => st.name === m[1]) ? m[1] : null,
        instructions: [],
      });
    }
    if (stages.length === 0) throw new Error(`${name}: ${ins.op} before FROM`);
    stages[stages.length - 1].instructions.push(ins);
  }
  if (stages.length === 0) throw new Error(`${name}: no FROM`);
  const byName = (n: string) => stages.find((st) => st.name === n);
  const final = target === undefined ? stages[stages.length - 1] : byName(target);
  if (!final) throw new Error(`${name}: no stage ${target}`);
  // The image: the target's stage after the stages it starts from.
  const image: Stage[] = [];
  for (let st: Stage | undefined = final; st; st = st.base ? byName(st.base) : undefined) image.unshift(st);
  // Its build stages: what the image copies from, and what those start from or copy from.
  const build = new Set<Stage>();
  const reach = (from: string) => {
    const st = byName(from);
    if (!st || build.has(st) || image.includes(st)) return;
    build.add(st);
    if (st.base) reach(st.base);
    for (const i of st.instructions) if (i.op === 'COPY') reach(/--from=(\S+)/.exec(i.args)?.[1] ?? '');
  };
  for (const i of image.flatMap((st) => st.instructions))
    if (i.op === 'COPY') reach(/--from=(\S+)/.exec(i.args)?.[1] ?? '');
  const spec: ImageSpec = {
    workdir: '/',
    env: {},
    user: 0,
    cmd: [],
    copies: [],
    buildRuns: stages
      .filter((st) => build.has(st))
      .flatMap((st) => st.instructions)
      .filter((i) => i.op === 'RUN')
      .map((i) => i.args),
  };
  for (const { op, args } of image.flatMap((st) => st.instructions)) {
    if (!FINAL_STAGE.has(op))
      throw new Error(
        `${name}: the final stage's ${op} ${args.slice(0, 60)} is not reproduced by the rehearsal`,
      );
    if (op === 'ENV') parseEnv(args, spec.env);
    else if (op === 'WORKDIR') spec.workdir = args;
    else if (op === 'USER') {
      if (!/^\d+$/.test(args)) throw new Error(`${name}: USER ${args}: use a numeric uid`);
      spec.user = Number(args);
    } else if (op === 'CMD') {
      const cmd = JSON.parse(args) as unknown;
      if (!Array.isArray(cmd)) throw new Error(`${name}: CMD must be in exec form`);
      spec.cmd = cmd.map(String);
    } else if (op === 'COPY') {
      const m = /^--from=(\S+)\s+(?:--chown=\S+\s+)?(\S+)\s+(\S+)$/.exec(args);
      if (!m)
        throw new Error(`${name}: COPY ${args}: only \`COPY --from=<stage> <src> <dest>\` is reproduced`);
      spec.copies.push({ from: m[1], src: m[2], dest: m[3] });
    }
  }
  return spec;
}
