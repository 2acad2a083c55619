/**
 * Where the cursor is, for completion: a small scan of the tokens before the cursor
 * (the text being typed rarely parses, so this does not rely on the AST). Pure: the
 * unit tests call it on plain strings.
 */
import { FOLD_ARGS, type FoldArgName } from '../model/operators.js';

export interface Token {
  kind: 'id' | 'number' | 'string' | 'punct';
  text: string;
  start: number;
  end: number;
}

/** Member keywords: a member starts with one of these at the network's top level. */
export const MEMBER_KEYWORDS = ['target', 'const', 'input', 'layer', 'output', 'test'] as const;

const TOKEN_RE =
  /\s+|\/\/[^\n\r]*|\/\*[\s\S]*?(?:\*\/|$)|"(?:\\.|[^"\\\r\n])*"?|[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?[kMG]?|[_a-zA-Z]\w*|>=|[^\s]/gy;

/** Tokens of `text` (comments and whitespace dropped). `inert` marks comment/string spans. */
export function tokenize(text: string): { tokens: Token[]; inert: Array<[number, number]> } {
  const tokens: Token[] = [];
  const inert: Array<[number, number]> = [];
  TOKEN_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (TOKEN_RE.lastIndex < text.length && (m = TOKEN_RE.exec(text))) {
    const t = m[0];
    const start = m.index;
    const end = start + t.length;
    if (/^\s/.test(t)) continue;
    if (t.startsWith('//') || t.startsWith('/*')) {
      inert.push([start, end]);
      continue;
    }
    let kind: Token['kind'] = 'punct';
    if (t.startsWith('"')) {
      kind = 'string';
      inert.push([start + 1, t.length > 1 && t.endsWith('"') ? end - 1 : end]);
    } else if (/^[0-9]/.test(t)) kind = 'number';
    else if (/^[_a-zA-Z]/.test(t)) kind = 'id';
    tokens.push({ kind, text: t, start, end });
  }
  return { tokens, inert };
}

export interface Declaration {
  kind: 'input' | 'layer' | 'const';
  name: string;
  /** Offset of the member keyword. */
  offset: number;
}

export type CompletionSite =
  | { kind: 'none' }
  | { kind: 'network' }
  /** Start of a member; `afterLayer` when a complete layer without a fold precedes (so `fold(` fits too). */
  | { kind: 'member'; afterLayer?: { layer: string; op: string } }
  | { kind: 'op' }
  /** After a layer's closing parenthesis on the same line: `fold(…)`. */
  | { kind: 'fold'; op: string; layer: string }
  /** A producer name: a layer's first argument or `output`. */
  | { kind: 'producer'; layer?: string }
  | { kind: 'argName'; op: string; layer: string; given: string[] }
  | { kind: 'argValue'; op: string; layer: string; arg: string }
  /** Inside a weight source's parentheses: `i4(|`. */
  | { kind: 'sourceArg'; afterRandom: boolean }
  | { kind: 'foldName'; op: string; layer: string; given: string[] }
  | { kind: 'foldValue'; op: string; layer: string; which: FoldArgName; other: Record<string, string> }
  | { kind: 'device' }
  | { kind: 'freqUnit' }
  | { kind: 'targetOption'; given: string[] }
  | { kind: 'board'; device: string }
  | { kind: 'inputType' }
  /** An expression: consts declared above. */
  | { kind: 'expr'; exclude?: string }
  | { kind: 'testArg'; given: string[] };

export interface CompletionContextInfo {
  site: CompletionSite;
  /** The word being typed (may be empty) and its extent, to be replaced by the completion. */
  prefix: string;
  replaceStart: number;
  replaceEnd: number;
  /** Producers and consts declared before the current member, in order. */
  declared: Declaration[];
}

/** The completion site at `offset` in `text`. */
export function completionContext(text: string, offset: number): CompletionContextInfo {
  const { tokens, inert } = tokenize(text);
  let replaceStart = offset;
  let replaceEnd = offset;
  const none = (declared: Declaration[] = []): CompletionContextInfo => ({
    site: { kind: 'none' },
    prefix: '',
    replaceStart,
    replaceEnd,
    declared,
  });
  if (inert.some(([s, e]) => offset > s && offset <= e)) return none();
  // The word under the cursor (an identifier or number being typed) is replaced, not context.
  let before = tokens.filter((t) => t.end <= offset);
  const current = tokens.find((t) => t.start < offset && t.end >= offset && (t.kind === 'id' || t.kind === 'number'));
  if (current) {
    replaceStart = current.start;
    replaceEnd = current.end;
    before = before.filter((t) => t !== current);
  }
  const prefix = text.slice(replaceStart, offset);

  // Forward scan: nesting depths, member starts and declarations.
  let brace = 0;
  let paren = 0;
  let bracket = 0;
  let memberStart = -1; // index into `before`
  let sawNetwork = false;
  const declared: Declaration[] = [];
  let currentDecl: Declaration | undefined;
  for (let i = 0; i < before.length; i++) {
    const t = before[i];
    if (t.text === '{') brace++;
    else if (t.text === '}') brace = Math.max(0, brace - 1);
    else if (t.text === '(') paren++;
    else if (t.text === ')') paren = Math.max(0, paren - 1);
    else if (t.text === '[') bracket++;
    else if (t.text === ']') bracket = Math.max(0, bracket - 1);
    else if (t.text === 'network' && brace === 0) sawNetwork = true;
    else if (brace === 1 && paren === 0 && bracket === 0 && (MEMBER_KEYWORDS as readonly string[]).includes(t.text)) {
      if (currentDecl) declared.push(currentDecl);
      currentDecl = undefined;
      memberStart = i;
      const next = before[i + 1];
      if ((t.text === 'layer' || t.text === 'input' || t.text === 'const') && next?.kind === 'id') {
        currentDecl = { kind: t.text, name: next.text, offset: t.start };
      }
    }
  }
  const result = (site: CompletionSite, decls = declared): CompletionContextInfo => ({
    site,
    prefix,
    replaceStart,
    replaceEnd,
    declared: decls,
  });

  if (brace === 0) return sawNetwork ? none(declared) : result({ kind: 'network' });
  if (brace > 1 && !(memberStart >= 0 && before[memberStart].text === 'test')) return none(declared);

  const lineStart = text.lastIndexOf('\n', replaceStart - 1) + 1;
  const atLineStart = text.slice(lineStart, replaceStart).trim() === '';
  const member = memberStart >= 0 ? before.slice(memberStart) : [];
  const last = before[before.length - 1];
  if (member.length === 0 || last?.text === '{') {
    return brace === 1 ? result({ kind: 'member' }) : none(declared);
  }
  const kw = member[0].text;
  const m = member.map((t) => t.text);

  // A new member may start on a fresh line once the current one is balanced.
  const balanced = brace === 1 && paren === 0 && bracket === 0;
  const memberSite = (): CompletionContextInfo | undefined => {
    if (!balanced || !atLineStart) return undefined;
    const complete = memberComplete(kw, m);
    if (!complete) return undefined;
    // The current member is finished: its declaration is above the new one.
    const afterLayer = kw === 'layer' && m[m.length - 1] === ')' && !m.includes('fold') ? { layer: m[1], op: m[3] } : undefined;
    return result({ kind: 'member', ...(afterLayer ? { afterLayer } : {}) }, currentDecl ? [...declared, currentDecl] : declared);
  };

  switch (kw) {
    case 'layer':
      return layerSite(member, result, memberSite) ?? none(declared);
    case 'target': {
      const ms = memberSite();
      if (ms) return ms;
      if (m.length === 1) return result({ kind: 'device' });
      if (m.length === 4 && m[2] === '@') return result({ kind: 'freqUnit' });
      if (last.text === 'board') return result({ kind: 'board', device: m[1] });
      if (last.text === ',')
        return result({ kind: 'targetOption', given: m.filter((x) => x === 'fps' || x === 'board' || x === 'bandwidth') });
      return none(declared);
    }
    case 'const': {
      const ms = memberSite();
      if (ms) return ms;
      if (m.length >= 3 && m[2] === '=' && expectsOperand(last.text)) return result({ kind: 'expr', exclude: m[1] });
      return none(declared);
    }
    case 'input': {
      const ms = memberSite();
      if (ms) return ms;
      if (m.length === 3 && m[2] === ':') return result({ kind: 'inputType' });
      if (bracket > 0 && expectsOperand(last.text)) return result({ kind: 'expr' });
      return none(declared);
    }
    case 'output': {
      const ms = memberSite();
      if (ms) return ms;
      if (m.length === 1) return result({ kind: 'producer' });
      return none(declared);
    }
    case 'test': {
      if (brace === 1) {
        const ms = memberSite();
        return ms ?? none(declared);
      }
      if (last.text === '{' || last.text === ',') {
        const given = argNamesAfter(
          member,
          member.findIndex((t) => t.text === '{'),
        );
        return result({ kind: 'testArg', given });
      }
      return none(declared);
    }
  }
  return none(declared);
}

/** Whether the next token may begin an operand of an expression. */
function expectsOperand(text: string): boolean {
  return ['=', '(', '[', ',', '+', '-', '*', '/'].includes(text);
}

/** Whether a member's tokens form something complete enough to start another on the next line. */
function memberComplete(kw: string, m: string[]): boolean {
  const last = m[m.length - 1];
  switch (kw) {
    case 'layer':
      return last === ')';
    case 'target':
      return m.length >= 5 && !['@', ',', '>=', 'fps', 'board', 'bandwidth', '-'].includes(last);
    case 'const':
      return m.length >= 4 && !expectsOperand(last);
    case 'input':
      return last === ']';
    case 'output':
      return m.length >= 2;
    case 'test':
      return last === '}';
  }
  return false;
}

/** Argument names given between index `open` (a bracket) and the end, at nesting depth 1. */
function argNamesAfter(tokens: Token[], open: number): string[] {
  const names: string[] = [];
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i].text;
    if (t === '(' || t === '[' || t === '{') depth++;
    else if (t === ')' || t === ']' || t === '}') depth--;
    else if (depth === 1 && t === '=' && tokens[i - 1]?.kind === 'id') names.push(tokens[i - 1].text);
  }
  return names;
}

function layerSite(
  member: Token[],
  result: (s: CompletionSite, d?: Declaration[]) => CompletionContextInfo,
  memberSite: () => CompletionContextInfo | undefined,
): CompletionContextInfo | undefined {
  const m = member.map((t) => t.text);
  const name = member[1]?.kind === 'id' ? member[1].text : '';
  if (m.length === 3 && m[2] === '=') return result({ kind: 'op' });
  if (m.length < 5 || m[4] !== '(') return undefined;
  const op = m[3];
  // Walk the layer's tokens: inside the op's parentheses, then perhaps `fold(`.
  let depth = 0;
  let section: 'args' | 'between' | 'fold' = 'args';
  let partStart = 5; // first token of the current comma-separated part at depth 1
  let argIndex = 0;
  for (let i = 4; i < member.length; i++) {
    const t = m[i];
    if (t === '(' || t === '[') depth++;
    else if (t === ')' || t === ']') {
      depth--;
      if (depth === 0) section = 'between';
    } else if (t === ',' && depth === 1) {
      partStart = i + 1;
      argIndex++;
    } else if (t === 'fold' && depth === 0 && section === 'between') {
      section = 'fold';
      argIndex = 0;
      partStart = i + 2;
    }
  }
  if (depth === 0) {
    const ms = memberSite();
    if (ms) return ms;
    if (section === 'between' && m[m.length - 1] === ')' && !m.includes('fold')) return result({ kind: 'fold', layer: name, op });
    return undefined;
  }
  const part = member.slice(partStart);
  const pt = part.map((t) => t.text);
  if (section === 'fold') {
    const foldOpen = m.lastIndexOf('fold') + 1;
    if (depth !== 1) return undefined;
    const given = argNamesAfter(member, foldOpen);
    if (pt.length === 0) return result({ kind: 'foldName', op, layer: name, given });
    if (pt.length >= 2 && pt[1] === '=' && Object.hasOwn(FOLD_ARGS, pt[0]) && expectsOperand(pt[pt.length - 1])) {
      const other: Record<string, string> = {};
      const foldTokens = member.slice(foldOpen + 1);
      for (let i = 0; i + 2 < foldTokens.length; i++) {
        if (foldTokens[i + 1].text === '=' && foldTokens[i + 2].kind === 'number') other[foldTokens[i].text] = foldTokens[i + 2].text;
      }
      return result({ kind: 'foldValue', op, layer: name, which: pt[0] as FoldArgName, other });
    }
    return undefined;
  }
  // Inside the op's parentheses.
  if (argIndex === 0) return depth === 1 && pt.length === 0 ? result({ kind: 'producer', layer: name }) : undefined;
  if (depth === 1 && pt.length === 0) return result({ kind: 'argName', op, layer: name, given: argNamesAfter(member, 4) });
  if (pt.length >= 2 && pt[1] === '=') {
    const arg = pt[0];
    const value = pt.slice(2);
    if (value.length === 0 && depth === 1) return result({ kind: 'argValue', op, layer: name, arg });
    // Inside a source's parentheses: `i4(`, `pow2<3>(random, `.
    const srcOpen = value.indexOf('(');
    const srcHead = srcOpen >= 1 ? part[2 + srcOpen - 1] : undefined;
    if (depth === 2 && srcHead && (srcHead.kind === 'id' || srcHead.text === '>')) {
      const inner = value.slice(srcOpen + 1);
      if (inner.length === 0) return result({ kind: 'sourceArg', afterRandom: false });
      if (inner[0] === 'random' && inner[inner.length - 1] === ',') return result({ kind: 'sourceArg', afterRandom: true });
      if (inner[inner.length - 1] === '=') return result({ kind: 'expr' });
      return undefined;
    }
    if (expectsOperand(value[value.length - 1]) && value[value.length - 1] !== ',') return result({ kind: 'expr' });
    if (value[value.length - 1] === ',' && depth >= 2 && value.includes('[')) return result({ kind: 'expr' });
  }
  return undefined;
}
