import { lookupPath, stringify, type TemplateScope } from '../template/compile.js';
import { hasTemplate, parseTemplate, type TemplateExpression } from '../template/parse.js';

/**
 * Resolves what a dry run can know (workflow input, forEach sample items) and leaves every other
 * template as written, so a plan shows exactly what will be sent and what waits for other steps.
 * @example previewValue({ id: '{{input.id}}', e: '{{tasks.a.output.e}}' }, { input: { id: 1 }, tasks: {} })
 * // { value: { id: 1, e: '{{tasks.a.output.e}}' }, unresolved: ['{{tasks.a.output.e}}'] }
 */
export function previewValue(value: unknown, scope: TemplateScope): { value: unknown; unresolved: string[] } {
  const unresolved: string[] = [];
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return hasTemplate(v) ? previewString(v, scope, unresolved) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { value: walk(value), unresolved };
}

/** What a template resolves to when the dry run cannot know its value. */
const UNRESOLVED = Symbol('unresolved');

function previewString(text: string, scope: TemplateScope, unresolved: string[]): unknown {
  let parsed;
  try {
    parsed = parseTemplate(text);
  } catch {
    // A TemplateSyntaxError, the only thing parseTemplate throws: the validator reports it.
    unresolved.push(text);
    return text;
  }
  // Like a run: the first present, non-null operand wins, and a null last operand resolves to null.
  // Only input and forEach are known; any other path may still be filled, so it stops the preview.
  const resolveExpr = (e: TemplateExpression): unknown => {
    let v: unknown;
    for (const o of e.operands) {
      if (o.kind === 'literal') return o.value;
      v = lookupPath(scope, o);
      if (v !== undefined && v !== null) return v;
      if (o.root !== 'input' && o.root !== 'forEach') return UNRESOLVED;
    }
    return v === null ? null : UNRESOLVED;
  };
  if (parsed.whole) {
    const e = parsed.parts[0] as TemplateExpression;
    const v = resolveExpr(e);
    if (v !== UNRESOLVED) return v;
    unresolved.push(e.text);
    return text;
  }
  let out = '';
  for (const p of parsed.parts) {
    if (typeof p === 'string') out += p;
    else {
      const v = resolveExpr(p);
      if (v !== UNRESOLVED) out += stringify(v);
      else {
        unresolved.push(p.text);
        out += p.text;
      }
    }
  }
  return out;
}
