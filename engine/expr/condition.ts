import { compileValue, stringify, type TemplateScope } from '../template/compile.js';
import { parseTemplate, TemplateSyntaxError, type TemplatePath } from '../template/parse.js';

/**
 * The condition language (roadmap Stage 19.1):
 *   or      := and ('||' and)*
 *   and     := compare ('&&' compare)*
 *   compare := unary (('==' | '!=' | '>=' | '<=' | '>' | '<') unary)?
 *   unary   := '!' unary | primary
 *   primary := '(' or ')' | 'string' | "string" | number | true | false | null | {{ template }}
 * Precedence: `!` binds tightest, then comparisons, then `&&`, then `||`.
 */
export type ConditionNode =
  | { type: 'or' | 'and'; left: ConditionNode; right: ConditionNode; offset: number }
  | { type: 'not'; operand: ConditionNode; offset: number }
  | { type: 'compare'; op: CompareOp; left: ConditionNode; right: ConditionNode; offset: number }
  | { type: 'literal'; value: string | number | boolean | null; offset: number; text: string }
  | { type: 'template'; text: string; offset: number; paths: TemplatePath[]; /** Written inside quotes: the value reads as a string. */ quoted: boolean };

export type CompareOp = '==' | '!=' | '>' | '<' | '>=' | '<=';

/** A condition that cannot be parsed, with the 0-based offset of the problem. */
export class ConditionSyntaxError extends Error {
  readonly code = 'WF_CONDITION_SYNTAX';
  constructor(
    message: string,
    readonly offset: number,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'ConditionSyntaxError';
  }
}

/** A condition that cannot be evaluated (incompatible types, a non-boolean operand). */
export class ConditionEvaluationError extends Error {
  readonly code = 'WF_CONDITION_TYPE';
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'ConditionEvaluationError';
  }
}

type Token =
  | { t: 'op'; v: string; at: number }
  | { t: 'lit'; v: string | number | boolean | null; at: number; text: string }
  | { t: 'tpl'; v: string; at: number }
  | { t: 'end'; at: number };

const OPERATORS = ['==', '!=', '>=', '<=', '&&', '||', '>', '<', '!', '(', ')'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (text.startsWith('{{', i)) {
      const close = text.indexOf('}}', i + 2);
      if (close < 0) throw new ConditionSyntaxError(`Unclosed template in condition`, i, "Close the template with '}}'.");
      tokens.push({ t: 'tpl', v: text.slice(i, close + 2), at: i });
      i = close + 2;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let out = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        out += text[j];
        j++;
      }
      if (j >= text.length) throw new ConditionSyntaxError(`Unterminated string in condition`, i, `Close the string with ${c}.`);
      tokens.push({ t: 'lit', v: out, at: i, text: text.slice(i, j + 1) });
      i = j + 1;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(text.slice(i));
    if (num) {
      tokens.push({ t: 'lit', v: Number(num[0]), at: i, text: num[0] });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_]\w*/.exec(text.slice(i));
    if (word) {
      const w = word[0];
      if (w === 'true' || w === 'false' || w === 'null') {
        tokens.push({ t: 'lit', v: w === 'null' ? null : w === 'true', at: i, text: w });
        i += w.length;
        continue;
      }
      throw new ConditionSyntaxError(
        `Unknown word '${w}' in condition`,
        i,
        `Values come from templates such as {{input.${w}}}; strings are quoted: '${w}'.`,
      );
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (!op) {
      throw new ConditionSyntaxError(`Unexpected '${c}' in condition`, i, 'Operators: == != > < >= <= && || ! ( ).');
    }
    tokens.push({ t: 'op', v: op, at: i });
    i += op.length;
  }
  tokens.push({ t: 'end', at: text.length });
  return tokens;
}

/**
 * Parses a condition into a tree, at load time.
 * @example parseCondition("{{input.amount}} > 100 && {{input.currency}} == 'EUR'").type // 'and'
 */
export function parseCondition(text: string): ConditionNode {
  const tokens = tokenize(text);
  let p = 0;
  const peek = () => tokens[p];
  const isOp = (v: string) => peek().t === 'op' && (peek() as { v: string }).v === v;
  const describe = (t: Token) => (t.t === 'end' ? 'the end of the condition' : `'${t.t === 'lit' ? t.text : String(t.v)}'`);

  const parseOr = (): ConditionNode => {
    let left = parseAnd();
    while (isOp('||')) {
      const at = peek().at;
      p++;
      left = { type: 'or', left, right: parseAnd(), offset: at };
    }
    return left;
  };
  const parseAnd = (): ConditionNode => {
    let left = parseCompare();
    while (isOp('&&')) {
      const at = peek().at;
      p++;
      left = { type: 'and', left, right: parseCompare(), offset: at };
    }
    return left;
  };
  const parseUnary = (): ConditionNode => {
    if (isOp('!')) {
      const at = peek().at;
      p++;
      return { type: 'not', operand: parseUnary(), offset: at };
    }
    return parsePrimary();
  };
  const parseCompare = (): ConditionNode => {
    const left = parseUnary();
    const t = peek();
    if (t.t === 'op' && ['==', '!=', '>', '<', '>=', '<='].includes(t.v)) {
      p++;
      const right = parseUnary();
      const after = peek();
      if (after.t === 'op' && ['==', '!=', '>', '<', '>=', '<='].includes(after.v)) {
        throw new ConditionSyntaxError(`Comparisons cannot be chained at '${after.v}'`, after.at, 'Join comparisons with && or ||.');
      }
      return { type: 'compare', op: t.v as CompareOp, left, right, offset: t.at };
    }
    return left;
  };
  const parsePrimary = (): ConditionNode => {
    const t = peek();
    if (t.t === 'op' && t.v === '(') {
      p++;
      const inner = parseOr();
      if (!isOp(')')) throw new ConditionSyntaxError(`Expected ')' but found ${describe(peek())}`, peek().at, `Close the parenthesis opened at column ${t.at + 1}.`);
      p++;
      return inner;
    }
    if (t.t === 'lit') {
      p++;
      if (typeof t.v === 'string' && t.v.includes('{{')) return templateNode(t.text, t.at);
      return { type: 'literal', value: t.v, offset: t.at, text: t.text };
    }
    if (t.t === 'tpl') {
      p++;
      return templateNode(t.v, t.at);
    }
    throw new ConditionSyntaxError(
      `Expected a value but found ${describe(t)}`,
      t.at,
      t.t === 'end' ? 'The condition ends too early: complete the last comparison.' : 'A value is a template, a quoted string, a number, true, false or null.',
    );
  };
  const templateNode = (raw: string, at: number): ConditionNode => {
    const quoted = raw.startsWith("'") || raw.startsWith('"');
    const body = quoted ? raw.slice(1, -1) : raw;
    try {
      const parsed = parseTemplate(body);
      const paths: TemplatePath[] = [];
      for (const part of parsed.parts) if (typeof part !== 'string') for (const o of part.operands) if (o.kind === 'path') paths.push(o);
      return { type: 'template', text: body, offset: at + (quoted ? 1 : 0), paths, quoted };
    } catch (err) {
      if (err instanceof TemplateSyntaxError) throw new ConditionSyntaxError(err.message, at + (quoted ? 1 : 0) + err.offset, err.hint ?? '');
      throw err;
    }
  };

  if (peek().t === 'end') throw new ConditionSyntaxError('The condition is empty', 0, "Write a comparison such as {{input.amount}} > 100.");
  const tree = parseOr();
  if (peek().t !== 'end') {
    throw new ConditionSyntaxError(`Unexpected ${describe(peek())}`, peek().at, 'Join comparisons with && or ||, and balance the parentheses.');
  }
  return tree;
}

/**
 * True when a template of the condition reads from `root` (`input`, `tasks`, `forEach`, …). On a
 * forEach step, a condition that reads `forEach` filters items one by one; any other condition
 * guards the whole step.
 * @example conditionReads(parseCondition("{{forEach.order.status}} == 'pending'"), 'forEach') // true
 */
export function conditionReads(node: ConditionNode, root: string): boolean {
  switch (node.type) {
    case 'or':
    case 'and':
    case 'compare':
      return conditionReads(node.left, root) || conditionReads(node.right, root);
    case 'not':
      return conditionReads(node.operand, root);
    case 'template':
      return node.paths.some((p) => p.root === root);
    case 'literal':
      return false;
  }
}

/** A parsed condition ready to evaluate against an execution scope. */
export interface CompiledCondition {
  readonly text: string;
  readonly tree: ConditionNode;
  evaluate(scope: TemplateScope): boolean;
}

/**
 * Parses and compiles a condition; evaluation does no parsing.
 * @example compileCondition("{{input.n}} >= 2", "step 'a'").evaluate({ input: { n: 2 }, tasks: {} }) // true
 */
export function compileCondition(text: string, owner: string): CompiledCondition {
  const tree = parseCondition(text);
  const evaluate = compileNode(tree, owner, text);
  return {
    text,
    tree,
    evaluate: (scope) => {
      const v = evaluate(scope);
      if (typeof v !== 'boolean') throw new ConditionEvaluationError(`${owner}: condition '${text}' gave ${describeValue(v)}, not true or false`, 'Compare the value: {{…}} == true.');
      return v;
    },
  };
}

type Evaluator = (scope: TemplateScope) => unknown;

function compileNode(node: ConditionNode, owner: string, text: string): Evaluator {
  switch (node.type) {
    case 'literal': {
      const v = node.value;
      return () => v;
    }
    case 'template': {
      const c = compileValue(node.text, { owner: `${owner} condition` });
      return node.quoted ? (scope) => stringify(c.resolve(scope)) : (scope) => c.resolve(scope);
    }
    case 'not': {
      const inner = compileNode(node.operand, owner, text);
      return (scope) => !asBoolean(inner(scope), owner, text, '!');
    }
    case 'and': {
      const l = compileNode(node.left, owner, text);
      const r = compileNode(node.right, owner, text);
      return (scope) => asBoolean(l(scope), owner, text, '&&') && asBoolean(r(scope), owner, text, '&&');
    }
    case 'or': {
      const l = compileNode(node.left, owner, text);
      const r = compileNode(node.right, owner, text);
      return (scope) => asBoolean(l(scope), owner, text, '||') || asBoolean(r(scope), owner, text, '||');
    }
    case 'compare': {
      const l = compileNode(node.left, owner, text);
      const r = compileNode(node.right, owner, text);
      const op = node.op;
      return (scope) => compare(op, l(scope), r(scope), owner, text);
    }
  }
}

function asBoolean(v: unknown, owner: string, text: string, op: string): boolean {
  if (typeof v === 'boolean') return v;
  throw new ConditionEvaluationError(`${owner}: '${op}' in condition '${text}' needs true or false, got ${describeValue(v)}`, 'Compare the value first, e.g. {{…}} == true.');
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'object') return 'an object';
  return `the ${typeof v} ${String(v)}`;
}

/**
 * Compares two values: numbers numerically, strings exactly, booleans and null by identity.
 * `==`/`!=` against null work with any type; any other mix of types is an error naming both sides.
 */
export function compare(op: CompareOp, a: unknown, b: unknown, owner = 'condition', text = ''): boolean {
  if (op === '==' || op === '!=') {
    if (a === null || b === null || a === undefined || b === undefined) {
      const eq = (a ?? null) === (b ?? null);
      return op === '==' ? eq : !eq;
    }
  }
  const ta = typeOf(a);
  const tb = typeOf(b);
  if (ta !== tb || (op !== '==' && op !== '!=' && ta !== 'number' && ta !== 'string')) {
    throw new ConditionEvaluationError(
      `${owner}: cannot compare ${describeValue(a)} ${op} ${describeValue(b)}${text ? ` in condition '${text}'` : ''}`,
      ta !== tb ? `Both sides must have the same type (${ta} vs ${tb}).` : `'${op}' compares numbers or strings only.`,
    );
  }
  if (ta === 'object' || ta === 'array') {
    const eq = JSON.stringify(a) === JSON.stringify(b);
    return op === '==' ? eq : !eq;
  }
  const x = a as number | string | boolean;
  const y = b as number | string | boolean;
  switch (op) {
    case '==':
      return x === y;
    case '!=':
      return x !== y;
    case '>':
      return x > y;
    case '<':
      return x < y;
    case '>=':
      return x >= y;
    case '<=':
      return x <= y;
  }
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}
