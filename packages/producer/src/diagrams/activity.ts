/**
 * A state machine's ASL definition as a PlantUML activity diagram: Task/Pass/Wait as actions, Choice as
 * if/elseif/else (or `repeat … repeat while` when a branch jumps back), Map as a partition, Parallel as fork,
 * Succeed/Fail as stop/end, Retry and Catch as notes, Catch handlers as their own flows after the main one.
 */
import {
  type Asl,
  type AslChoiceRule,
  type AslState,
  friendlyId,
  markedIds,
  type StateMachine,
} from './cfn.js';
import { type Diagram, document, label, quoted } from './puml.js';

/** `arn:aws:states:::batch:submitJob.sync` → `batch:submitJob.sync`. */
export function serviceAction(resource: string | undefined): string | null {
  if (!resource) return null;
  const m = /^arn:[^:]+:states:::(.+)$/.exec(resource);
  if (m) return m[1];
  if (/:lambda:|«/.test(resource)) return 'lambda:invoke';
  return resource;
}

const OPS: Record<string, string> = {
  StringEquals: '=',
  NumericEquals: '=',
  BooleanEquals: '=',
  TimestampEquals: '=',
  NumericGreaterThan: '>',
  NumericGreaterThanEquals: '≥',
  NumericLessThan: '‹',
  NumericLessThanEquals: '≤',
  StringMatches: 'matches',
};

/** A short text for a Choice rule: `runningCount = 1`, `not (a = b)`, `$.x present`. */
export function ruleText(r: AslChoiceRule): string {
  if (typeof r.Condition === 'string') return r.Condition.replace(/^\{%\s*|\s*%\}$/g, '');
  if (r.And) return r.And.map(ruleText).join(' and ');
  if (r.Or) return r.Or.map(ruleText).join(' or ');
  if (r.Not) return `not (${ruleText(r.Not)})`;
  const variable = (r.Variable ?? '').replace(/^\$\.?/, '') || '$';
  for (const [k, v] of Object.entries(r)) {
    if (k === 'Variable' || k === 'Next') continue;
    const base = k.replace(/Path$/, '');
    if (base === 'IsPresent') return `${variable} ${v ? 'present' : 'absent'}`;
    if (base === 'IsNull') return `${variable} ${v ? 'null' : 'not null'}`;
    if (base.startsWith('Is')) return `${variable} ${base.slice(2).toLowerCase()}`;
    const op = OPS[base];
    if (op) return `${variable} ${op} ${typeof v === 'string' ? v : JSON.stringify(v)}`;
  }
  return variable;
}

function names(text: string): string {
  return text.replace(/«([^»]+)»/g, (_, id: string) => friendlyId(id));
}

/** What a Task does, in a line: the service action and the stage command or job it runs. */
export function taskDetail(st: AslState): string {
  const action = serviceAction(st.Resource) ?? '';
  const p = (st.Parameters ?? st.Arguments ?? {}) as Record<string, unknown>;
  const overrides = (p.ContainerOverrides ?? p['ContainerOverrides.$']) as
    | Record<string, unknown>
    | undefined;
  const command = overrides?.Command;
  const bits: string[] = [action];
  if (Array.isArray(command))
    bits.push(
      `command: ${command
        .filter((x) => typeof x === 'string')
        .slice(0, 3)
        .join(' ')}`,
    );
  else if (typeof p.JobName === 'string') bits.push(`job ${p.JobName}`);
  for (const k of ['JobDefinition', 'JobQueue', 'Service', 'Cluster']) {
    const v = p[k];
    if (typeof v === 'string' && v.includes('«'))
      bits.push(`${k.replace(/^Job/, '').toLowerCase()} ${names(v).replace(/^.*[:/]/, '')}`);
  }
  if (typeof p.DesiredCount === 'number') bits.push(`desired ${p.DesiredCount}`);
  else if (typeof p['DesiredCount.$'] === 'string') bits.push(`desired ${p['DesiredCount.$']}`);
  return names(bits.filter(Boolean).join(', '));
}

interface Rule {
  to: string;
  text: string;
  isDefault: boolean;
}

interface Scope {
  asl: Asl;
  /** States already drawn in this scope. */
  drawn: Set<string>;
  /** Loop heads of `repeat` blocks currently open. */
  openLoops: string[];
  loopHeads: Set<string>;
  /** Loop exits taken from inside a loop's body (no `break` in PlantUML 1.2020): drawn after the loop. */
  pendingExits: { target: string; from: string }[];
}

/** The states of a loop: reachable from its head and able to reach it again. */
function loopBody(asl: Asl, head: string): Set<string> {
  const forward = reach(asl, head, new Set());
  const body = new Set<string>([head]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of forward) {
      if (body.has(n)) continue;
      if (successors(asl.States[n]).some((s) => body.has(s))) {
        body.add(n);
        grew = true;
      }
    }
  }
  return body;
}

/** A branch target that leaves the innermost open loop toward more work (not straight to Succeed/Fail). */
function leavesLoop(scope: Scope, target: string): boolean {
  const head = scope.openLoops[scope.openLoops.length - 1];
  if (!head || loopBody(scope.asl, head).has(target)) return false;
  const st = scope.asl.States[target];
  return Boolean(st) && st.Type !== 'Succeed' && st.Type !== 'Fail';
}

function successors(st: AslState): string[] {
  const out: string[] = [];
  if (st.Next) out.push(st.Next);
  for (const c of st.Choices ?? []) if (c.Next) out.push(c.Next);
  if (st.Default) out.push(st.Default);
  return out;
}

/** Targets of back edges (depth-first from StartAt, Catch edges left out): where `repeat` blocks start. */
export function loopHeads(asl: Asl): Set<string> {
  const heads = new Set<string>();
  const onStack = new Set<string>();
  const done = new Set<string>();
  const visit = (n: string) => {
    if (!asl.States[n] || done.has(n)) return;
    onStack.add(n);
    for (const s of successors(asl.States[n])) {
      if (onStack.has(s)) heads.add(s);
      else visit(s);
    }
    onStack.delete(n);
    done.add(n);
  };
  visit(asl.StartAt);
  return heads;
}

/** States reachable from a state in breadth-first order, not passing through `stop`. */
function reach(asl: Asl, from: string, stop: ReadonlySet<string>): string[] {
  const seen: string[] = [];
  const queue = [from];
  while (queue.length > 0) {
    const n = queue.shift()!;
    if (seen.includes(n) || !asl.States[n] || stop.has(n)) continue;
    seen.push(n);
    queue.push(...successors(asl.States[n]));
  }
  return seen;
}

/**
 * Where forward branches meet again: the state reached by the most branches (at least two), earliest first;
 * a branch that does not reach it must end on its own (Succeed/Fail) without touching the others' states.
 */
function joinOf(asl: Asl, targets: string[], stop: ReadonlySet<string>): string | null {
  const sets = targets.map((t) => reach(asl, t, stop));
  let best: { n: string; count: number; rank: number } | null = null;
  for (const set of sets) {
    set.forEach((n, rank) => {
      const count = sets.filter((s) => s.includes(n)).length;
      if (count < 2) return;
      if (!best || count > best.count || (count === best.count && rank < best.rank))
        best = { n, count, rank };
    });
  }
  if (!best) return null;
  const join = (best as { n: string }).n;
  const reaching = sets.filter((s) => s.includes(join));
  const others = new Set(reaching.flat());
  const clean = sets.every((s) => s.includes(join) || s.every((n) => !others.has(n)));
  return clean ? join : null;
}

interface Emitter {
  lines: string[];
  handlers: { scope: Asl; from: string; errors: string[]; target: string }[];
  mentions: Set<string>;
}

function emitFlow(
  e: Emitter,
  scope: Scope,
  start: string | undefined,
  stopAt: string | null,
  depth: number,
  top: boolean,
) {
  const pad = '  '.repeat(depth);
  let name = start;
  while (name && name !== stopAt) {
    const st = scope.asl.States[name];
    if (!st) {
      e.lines.push(`${pad}:${label(`missing state ${name}`)};`);
      return;
    }
    if (scope.drawn.has(name)) {
      // An unstructured jump (a second path into a drawn state): say where it goes rather than redraw.
      e.lines.push(`${pad}:${label(`→ continue at ${name}`)};`, `${pad}detach`);
      return;
    }
    if (scope.loopHeads.has(name) && !scope.openLoops.includes(name)) {
      e.lines.push(`${pad}repeat`);
      scope.openLoops.push(name);
      emitFlow(e, scope, name, stopAt, depth + 1, top);
      return;
    }
    scope.drawn.add(name);
    e.mentions.add(name);
    const inner = pad;
    switch (st.Type) {
      case 'Choice': {
        const rules: Rule[] = (st.Choices ?? []).map((r) => ({
          to: r.Next!,
          text: ruleText(r),
          isDefault: false,
        }));
        if (st.Default)
          rules.push({
            to: st.Default,
            text: rules.length === 1 ? `not (${rules[0].text})` : 'otherwise',
            isDefault: true,
          });
        // A branch that returns to an open loop head (directly or through plain states) closes the loop:
        // `repeat … [if (cond) then (…back path…) endif] repeat while (cond)`; 1.2020 has no `backward`.
        const back = rules
          .map((r) => ({ rule: r, path: backPath(scope, r.to) }))
          .find((x) => x.path !== null);
        if (back) {
          const exits = rules.filter((r) => r !== back.rule);
          const path = back.path ?? [];
          if (path.length > 0) {
            e.lines.push(`${pad}if (${label(`${name}?`)}) then (${label(back.rule.text)})`);
            for (const n of path) {
              scope.drawn.add(n);
              e.mentions.add(n);
              emitSimple(e, scope, n, `${pad}  `);
            }
            e.lines.push(`${pad}endif`);
          }
          const head = backTarget(scope, back.rule.to);
          e.lines.push(`${pad}repeat while (${label(`${name}: ${back.rule.text}`)}) is (yes)`);
          scope.openLoops.splice(scope.openLoops.indexOf(head), 1);
          if (exits.length === 0) return;
          e.lines.push(`${pad}->${label(exits[0].text)};`);
          if (exits.length === 1) {
            name = exits[0].to;
            continue;
          }
          emitBranches(e, scope, name, exits, stopAt, depth, top);
          return;
        }
        const next = emitBranches(e, scope, name, rules, stopAt, depth, top);
        name = next ?? undefined;
        continue;
      }
      case 'Parallel': {
        e.lines.push(`${inner}fork`);
        (st.Branches ?? []).forEach((b, k) => {
          if (k > 0) e.lines.push(`${inner}fork again`);
          emitScope(e, newScope(b), b.StartAt, depth + 1, false);
        });
        e.lines.push(`${inner}end fork`);
        break;
      }
      case 'Map': {
        const body = st.ItemProcessor ?? st.Iterator;
        const limit = st.MaxConcurrency
          ? `MaxConcurrency ${st.MaxConcurrency}`
          : st.MaxConcurrencyPath
            ? `MaxConcurrency from ${st.MaxConcurrencyPath}`
            : 'unbounded';
        const items = st.ItemsPath ? `, items ${st.ItemsPath}` : '';
        // Retry and Catch go in the partition's title: a note after the block would sit on its last action.
        const extra = noteLines(e, st, name, scope);
        const title = `Map ${name} (${limit}${items})${extra.length > 0 ? `; ${extra.join('; ')}` : ''}`;
        e.lines.push(`${inner}partition ${quoted(label(title))} {`);
        if (body) emitScope(e, newScope(body), body.StartAt, depth + 1, false);
        e.lines.push(`${inner}}`);
        break;
      }
      case 'Succeed':
        e.lines.push(`${inner}:${label(name)};`, `${inner}stop`);
        return;
      case 'Fail':
        e.lines.push(`${inner}:${label(`${name}${st.Error ? `: ${st.Error}` : ''}`)};`, `${inner}end`);
        return;
      default:
        emitSimple(e, scope, name, inner);
    }
    if (st.End || !st.Next) {
      if (top && st.End) e.lines.push(`${inner}stop`);
      return;
    }
    name = st.Next;
  }
}

/** Plain states (Task, Pass, Wait) from `to` until an open loop head; null when the path goes elsewhere. */
function backPath(scope: Scope, to: string): string[] | null {
  const path: string[] = [];
  let n: string | undefined = to;
  for (let k = 0; k < 20 && n; k++) {
    if (scope.openLoops.includes(n)) return path;
    const st: AslState | undefined = scope.asl.States[n];
    if (!st || !['Task', 'Pass', 'Wait'].includes(st.Type) || scope.drawn.has(n)) return null;
    path.push(n);
    n = st.Next;
  }
  return null;
}

function backTarget(scope: Scope, to: string): string {
  let n: string | undefined = to;
  while (n && !scope.openLoops.includes(n)) n = scope.asl.States[n]?.Next;
  return n ?? to;
}

/** One Task, Pass or Wait state as an action with its notes. */
function emitSimple(e: Emitter, scope: Scope, name: string, pad: string) {
  const st = scope.asl.States[name];
  if (st.Type === 'Wait') {
    const how = st.Seconds !== undefined ? `${st.Seconds} s` : (st.SecondsPath ?? '');
    e.lines.push(`${pad}:${label(name)}`, `${label(`wait ${how}`)};`);
  } else if (st.Type === 'Task') {
    e.lines.push(`${pad}:${label(name)}`, `${label(taskDetail(st))};`);
    notes(e, st, name, scope, pad);
  } else e.lines.push(`${pad}:${label(`${name} (${st.Type})`)};`);
}

function emitBranches(
  e: Emitter,
  scope: Scope,
  name: string,
  rules: Rule[],
  stopAt: string | null,
  depth: number,
  top: boolean,
): string | null {
  const pad = '  '.repeat(depth);
  const stops = new Set([...scope.openLoops, ...(stopAt ? [stopAt] : [])]);
  const join = joinOf(
    scope.asl,
    rules.map((r) => r.to),
    stops,
  );
  rules.forEach((r, k) => {
    if (k === 0) e.lines.push(`${pad}if (${label(`${name}?`)}) then (${label(r.text)})`);
    else if (k < rules.length - 1 || !r.isDefault)
      e.lines.push(`${pad}elseif (${label(`${name}?`)}) then (${label(r.text)})`);
    else e.lines.push(`${pad}else (${label(r.text)})`);
    if (r.to === join) return;
    if (leavesLoop(scope, r.to)) {
      e.lines.push(`${pad}  :${label(`→ leaves the loop: ${r.to}`)};`, `${pad}  detach`);
      scope.pendingExits.push({ target: r.to, from: `${name}: ${r.text}` });
    } else emitFlow(e, scope, r.to, join ?? stopAt, depth + 1, top);
  });
  e.lines.push(`${pad}endif`);
  return join;
}

/** Retry and Catch of a state as lines; records Catch handlers to draw after the main flow. */
function noteLines(e: Emitter, st: AslState, name: string, scope: Scope): string[] {
  const lines: string[] = [];
  for (const r of st.Retry ?? [])
    lines.push(`retry ${r.ErrorEquals.join(', ')}${r.MaxAttempts !== undefined ? ` ×${r.MaxAttempts}` : ''}`);
  for (const c of st.Catch ?? []) {
    lines.push(`catch ${c.ErrorEquals.join(', ')} → ${c.Next}`);
    e.handlers.push({ scope: scope.asl, from: name, errors: c.ErrorEquals, target: c.Next });
  }
  return lines;
}

function notes(e: Emitter, st: AslState, name: string, scope: Scope, pad: string) {
  const lines = noteLines(e, st, name, scope);
  if (lines.length === 0) return;
  e.lines.push(`${pad}note right`, ...lines.map((l) => `${pad}  ${label(l)}`), `${pad}end note`);
}

function newScope(asl: Asl): Scope {
  return { asl, drawn: new Set(), openLoops: [], loopHeads: loopHeads(asl), pendingExits: [] };
}

/** A scope's flow from `start`, then each loop exit taken mid-loop as its own labelled continuation. */
function emitScope(e: Emitter, scope: Scope, start: string, depth: number, top: boolean) {
  emitFlow(e, scope, start, null, depth, top);
  const pad = '  '.repeat(depth);
  while (scope.pendingExits.length > 0) {
    const x = scope.pendingExits.shift()!;
    if (scope.drawn.has(x.target)) continue;
    e.lines.push(`${pad}partition ${quoted(label(`continues from ${x.from}`))} {`);
    emitFlow(e, scope, x.target, null, depth + 1, top);
    e.lines.push(`${pad}}`);
  }
}

export function activityDiagram(sm: StateMachine): Diagram {
  const e: Emitter = { lines: [], handlers: [], mentions: new Set() };
  e.lines.push('skinparam shadowing false', 'start');
  emitScope(e, newScope(sm.definition), sm.definition.StartAt, 0, true);
  // Catch handlers: each its own flow, drawn once, after the main one.
  const drawn = new Set<string>();
  for (const h of e.handlers) {
    const key = `${h.target}`;
    if (drawn.has(key)) continue;
    drawn.add(key);
    const from = e.handlers.filter((x) => x.target === h.target).map((x) => x.from);
    e.lines.push(`partition ${quoted(label(`on error in ${from.join(', ')}`))} {`, '  start');
    emitScope(e, newScope({ StartAt: h.target, States: h.scope.States }), h.target, 1, true);
    e.lines.push('}');
  }
  const title = `Step Functions workflow ${sm.name}`;
  const refs = markedIds(sm.definition).map(friendlyId);
  if (refs.length > 0)
    e.lines.push('legend right', `  ${label(`resources used: ${refs.join(', ')}`)}`, 'endlegend');
  return {
    name: 'workflow-activity',
    title,
    source: document(title, e.lines),
    mentions: [...e.mentions],
  };
}
