/** A reference to a value in the execution scope, e.g. `tasks.fetch-user.output.items[0]["a.b"]`. */
export interface TemplatePath {
  kind: 'path';
  root: string;
  segments: ReadonlyArray<string | number>;
  /** The path as written. */
  text: string;
  /** Offset of the path inside the whole string. */
  offset: number;
}

export interface TemplateLiteral {
  kind: 'literal';
  value: string | number | boolean | null | [] | Record<string, never>;
  text: string;
  offset: number;
}

export type TemplateOperand = TemplatePath | TemplateLiteral;

/** One `{{ … }}`: operands joined by `??` (the first present, non-null one wins). */
export interface TemplateExpression {
  operands: TemplateOperand[];
  /** The whole `{{ … }}` as written. */
  text: string;
  offset: number;
}

/** A string split into literal text and template expressions. */
export interface ParsedTemplate {
  parts: Array<string | TemplateExpression>;
  /** True when the whole string is exactly one `{{ … }}` (the value keeps its JSON type). */
  whole: boolean;
}

/** A template syntax error with the offset (0-based, in the whole string) where it was found. */
export class TemplateSyntaxError extends Error {
  readonly code = 'WF_TEMPLATE_SYNTAX';
  constructor(
    message: string,
    readonly offset: number,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'TemplateSyntaxError';
  }
}

/** The roots a template path may start with. */
export const TEMPLATE_ROOTS = ['input', 'tasks', 'forEach', 'workflow', 'execution', 'secrets'] as const;

/** Quick test that avoids parsing strings with no template in them. */
export function hasTemplate(text: string): boolean {
  return text.includes('{{');
}

/**
 * Splits a string into literal text and `{{ }}` expressions.
 * @example parseTemplate('id {{ input.id }}').parts // ['id ', { operands: [{ root: 'input', segments: ['id'] }] }]
 */
export function parseTemplate(text: string): ParsedTemplate {
  const parts: Array<string | TemplateExpression> = [];
  let i = 0;
  let literal = '';
  for (let open = text.indexOf('{{'); open >= 0; open = text.indexOf('{{', i)) {
    literal += text.slice(i, open);
    const close = findClose(text, open + 2);
    if (close === -1) throw new TemplateSyntaxError(`Unclosed template '${text.slice(open, open + 40)}'`, open, "Close it with '}}'.");
    if (literal) parts.push(literal);
    literal = '';
    parts.push(parseExpression(text.slice(open + 2, close), open + 2, text.slice(open, close + 2), open));
    i = close + 2;
  }
  literal += text.slice(i);
  if (literal) parts.push(literal);
  const stray = text.indexOf('}}');
  if (stray >= 0 && !parts.some((p) => typeof p !== 'string')) {
    throw new TemplateSyntaxError(`'}}' without a matching '{{'`, stray, "Open the template with '{{' or remove the stray braces.");
  }
  return { parts, whole: parts.length === 1 && typeof parts[0] !== 'string' };
}

/** Finds the `}}` that closes a template, skipping quoted strings. */
function findClose(text: string, from: number): number {
  let quote = '';
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '}' && text[i + 1] === '}') return i;
    else if (c === '{' && text[i + 1] === '{') return -1;
  }
  return -1;
}

const NAME_START = /[A-Za-z_$]/;
const NAME_CHAR = /[A-Za-z0-9_$-]/;

function parseExpression(body: string, base: number, whole: string, wholeOffset: number): TemplateExpression {
  const operands: TemplateOperand[] = [];
  let i = 0;
  const skip = () => {
    while (/\s/.test(body.charAt(i))) i++;
  };
  skip();
  if (i >= body.length) throw new TemplateSyntaxError('Empty template {{ }}', base, 'Write a path such as {{ input.id }}.');
  for (;;) {
    skip();
    operands.push(parseOperand());
    skip();
    if (i >= body.length) break;
    if (body.startsWith('??', i)) {
      i += 2;
      continue;
    }
    throw new TemplateSyntaxError(
      `Unexpected '${body.slice(i, i + 10)}' in template ${whole}`,
      base + i,
      "A template is a path, optionally followed by '?? fallback'. Conditions go in condition.if.",
    );
  }
  return { operands, text: whole, offset: wholeOffset };

  function parseOperand(): TemplateOperand {
    const start = i;
    const c = body[i];
    if (c === "'" || c === '"') {
      const value = readQuoted();
      return { kind: 'literal', value, text: body.slice(start, i), offset: base + start };
    }
    const empty = /^(\[\s*\]|\{\s*\})/.exec(body.slice(i));
    if (empty) {
      i += empty[0].length;
      return { kind: 'literal', value: empty[0].startsWith('[') ? [] : {}, text: empty[0], offset: base + start };
    }
    const num = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(body.slice(i));
    if (num) {
      i += num[0].length;
      return { kind: 'literal', value: Number(num[0]), text: num[0], offset: base + start };
    }
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (body.startsWith(word, i) && !NAME_CHAR.test(body[i + word.length] ?? '')) {
        i += word.length;
        return { kind: 'literal', value, text: word, offset: base + start };
      }
    }
    if (!NAME_START.test(c ?? '')) {
      throw new TemplateSyntaxError(`Expected a path or a literal at '${body.slice(i, i + 10)}' in ${whole}`, base + i, 'Paths start with input, tasks or forEach.');
    }
    const root = readName();
    const segments: Array<string | number> = [];
    for (;;) {
      if (body[i] === '.') {
        i++;
        if (!NAME_CHAR.test(body[i] ?? '')) throw new TemplateSyntaxError(`Expected a key after '.' in ${whole}`, base + i, 'Remove the trailing dot or add a key.');
        segments.push(readName());
      } else if (body[i] === '[') {
        i++;
        skip();
        if (body[i] === "'" || body[i] === '"') segments.push(readQuoted());
        else {
          const m = /^\d+/.exec(body.slice(i));
          if (!m) throw new TemplateSyntaxError(`Expected an index or a quoted key inside [ ] in ${whole}`, base + i, 'Use [0] or ["key.with.dots"].');
          segments.push(Number(m[0]));
          i += m[0].length;
        }
        skip();
        if (body[i] !== ']') throw new TemplateSyntaxError(`Expected ']' in ${whole}`, base + i, "Close the index with ']'.");
        i++;
      } else break;
    }
    for (const s of segments) {
      if (s === '__proto__' || s === 'constructor' || s === 'prototype') {
        throw new TemplateSyntaxError(`The key '${s}' cannot be read in a template`, base + start, 'Rename the field.');
      }
    }
    return { kind: 'path', root, segments, text: body.slice(start, i), offset: base + start };
  }

  function readName(): string {
    const start = i;
    // `fetch-user` is one name; trailing dashes stay part of the key.
    while (NAME_CHAR.test(body.charAt(i))) i++;
    return body.slice(start, i);
  }

  /**
   * Reads a quoted string. findClose skipped the same quotes and escapes, so the closing quote is
   * always inside `body`; the length check only keeps a future change from looping forever.
   */
  function readQuoted(): string {
    const q = body[i];
    i++;
    let out = '';
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, the closing quote is reached before the end
    while (i < body.length && body[i] !== q) {
      if (body[i] === '\\') {
        i++;
        out += body[i] === 'n' ? '\n' : body[i] === 't' ? '\t' : body[i];
      } else out += body[i];
      i++;
    }
    i++;
    return out;
  }
}

/** Every path referenced by a parsed template. */
export function templatePaths(t: ParsedTemplate): TemplatePath[] {
  const out: TemplatePath[] = [];
  for (const p of t.parts) if (typeof p !== 'string') for (const o of p.operands) if (o.kind === 'path') out.push(o);
  return out;
}
