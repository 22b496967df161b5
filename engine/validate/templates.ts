import { parseTemplate, TemplateSyntaxError, type ParsedTemplate, type TemplatePath } from '../template/parse.js';
import { toPointer, pointerSegments } from '../load/yaml.js';
import type { Findings } from './context.js';

/** A string that holds (or looks like it holds) a template, parsed once. */
export interface TemplateString {
  /** Pointer of the string inside its resource. */
  pointer: string;
  text: string;
  parsed?: ParsedTemplate;
  error?: TemplateSyntaxError;
}

/** A path found in a template string, with where it sits. */
export interface TemplateUse {
  path: TemplatePath;
  string: TemplateString;
  /** The path is followed by `?? fallback`. */
  hasFallback: boolean;
}

/**
 * Every string inside `value` that contains `{{` or `}}`, each parsed once. Errors other than
 * template syntax errors are bugs and propagate.
 * @example scanTemplates({ a: 'x {{ input.id }}', b: 2 }, '/spec/tasks/0/input').map((t) => t.pointer)
 * // ['/spec/tasks/0/input/a']
 */
export function scanTemplates(value: unknown, pointer: string): TemplateString[] {
  const out: TemplateString[] = [];
  const base = pointerSegments(pointer);
  const visit = (v: unknown, at: Array<string | number>): void => {
    if (typeof v === 'string') {
      if (v.includes('{{') || v.includes('}}')) out.push(parseOnce(v, toPointer([...base, ...at])));
    } else if (Array.isArray(v)) v.forEach((x, i) => visit(x, [...at, i]));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, [...at, k]);
  };
  visit(value, []);
  return out;
}

function parseOnce(text: string, pointer: string): TemplateString {
  try {
    return { pointer, text, parsed: parseTemplate(text) };
  } catch (err) {
    if (err instanceof TemplateSyntaxError) return { pointer, text, error: err };
    throw err;
  }
}

/** The paths referenced by parsed template strings. */
export function templateUses(strings: readonly TemplateString[]): TemplateUse[] {
  const out: TemplateUse[] = [];
  for (const s of strings) {
    if (!s.parsed) continue;
    for (const part of s.parsed.parts) {
      if (typeof part === 'string') continue;
      part.operands.forEach((o, i) => {
        if (o.kind === 'path') out.push({ path: o, string: s, hasFallback: i < part.operands.length - 1 });
      });
    }
  }
  return out;
}

/**
 * Reports the syntax errors of template strings at the exact column of the error (a multi-line
 * string points at its start). A `}}` with no `{{` is a warning: the runtime sends such text as
 * written, but it is usually a typo for a template.
 */
export function reportTemplateSyntax(findings: Findings, strings: readonly TemplateString[], owner: (t: TemplateString) => string): void {
  for (const t of strings) {
    const e = t.error;
    if (!e) continue;
    const place = { text: t.text, offset: e.offset };
    if (!t.text.includes('{{')) {
      findings.warning('WF_TEMPLATE_STRAY_CLOSE', t.pointer, `${owner(t)}: ${e.message}; the text is used as written`, e.hint ?? "Open the template with '{{'.", place);
    } else {
      findings.error('WF_TEMPLATE_SYNTAX', t.pointer, `${owner(t)}: ${e.message}`, e.hint ?? 'Fix the template syntax.', place);
    }
  }
}

/** The string a single-template value consists of, when it is exactly one path with no fallback. */
export function wholePath(t: TemplateString | undefined): TemplatePath | undefined {
  const p = t?.parsed;
  if (!p?.whole) return undefined;
  const expr = p.parts[0];
  if (typeof expr === 'string' || expr.operands.length !== 1) return undefined;
  const op = expr.operands[0];
  return op.kind === 'path' ? op : undefined;
}
