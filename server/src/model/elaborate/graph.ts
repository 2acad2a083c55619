/**
 * Checks of the network as a whole: duplicate names (QNN011), required members (QNN013),
 * branching (QNN014) and layers that never reach the output (QNN012). They walk every
 * layer in the chain, including those with an error.
 */
import type * as ast from '../../language/generated/ast.js';
import { propRange } from '../ranges.js';
import type { Elab } from './context.js';

export function checkDuplicates(cx: Elab, members: ast.Member[]): void {
  const seen = new Map<string, ast.Member>();
  for (const m of members) {
    if (!('name' in m) || m.$type === 'Test' || !m.name) continue;
    const prev = seen.get(m.name);
    if (prev) {
      const line = (prev.$cstNode?.range.start.line ?? 0) + 1;
      cx.error('QNN011', `duplicate name '${m.name}': already declared on line ${line}`, propRange(m, 'name'));
    } else seen.set(m.name, m);
  }
}

export function checkRequiredMembers(cx: Elab, members: ast.Member[]): void {
  const at = propRange(cx.root, 'name');
  const name = cx.root.name;
  if (!members.some((m) => m.$type === 'Target')) cx.error('QNN013', `network ${name} needs a target: add 'target xc7z020 @ 100 MHz'`, at);
  if (!members.some((m) => m.$type === 'Input')) cx.error('QNN013', `network ${name} needs an input: add e.g. 'input x: u8[784]'`, at);
  if (!members.some((m) => m.$type === 'Output') && cx.chain.length > 0) {
    const last = cx.chain[cx.chain.length - 1].name;
    cx.error('QNN013', `network ${name} needs an output: add 'output ${last}'`, at);
  }
}

/** The core language is a chain: each producer feeds at most one layer. */
export function checkBranching(cx: Elab): void {
  const consumer = new Map<string, string>();
  for (const l of cx.chain) {
    if (l.input === undefined) continue;
    const prev = consumer.get(l.input);
    if (prev) {
      cx.error(
        'QNN014',
        `'${l.input}' already feeds '${prev}': a network is a chain (branching is not supported yet); feed '${l.name}' from '${prev}' or a later layer`,
        l.ranges.layer,
      );
    } else consumer.set(l.input, l.name);
  }
}

/**
 * QNN012 on each layer the output does not depend on. When the walk back from the output
 * stops at a layer whose producer is unknown (already an error), what reaches the output
 * is unknown too, and nothing is reported.
 */
export function checkReachesOutput(cx: Elab): void {
  const output = cx.net.output;
  if (!output) return;
  const byName = new Map(cx.chain.map((l) => [l.name, l]));
  const live = new Set<string>();
  let cur: string | undefined = output;
  while (cur !== undefined && !live.has(cur)) {
    live.add(cur);
    const node = byName.get(cur);
    if (!node) break; // the input
    if (node.input === undefined) return;
    cur = node.input;
  }
  for (const l of cx.chain) {
    if (!live.has(l.name)) {
      cx.report(
        'QNN012',
        'warning',
        `layer '${l.name}' never reaches the output '${output}': remove it or feed it to the output`,
        l.ranges.name,
      );
    }
  }
}
