import jsonata from 'jsonata';

/** A JSONata expression compiled once. */
export interface CompiledTransform {
  readonly expression: string;
  evaluate(input: unknown): Promise<unknown>;
}

/** A JSONata expression that does not parse, with its 0-based position. */
export class TransformSyntaxError extends Error {
  readonly code = 'WF_TRANSFORM_SYNTAX';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'TransformSyntaxError';
  }
}

/**
 * Compiles a JSONata expression; throws TransformSyntaxError when it does not parse.
 * @example await compileTransform('$sum(items.price)').evaluate({ items: [{ price: 2 }, { price: 3 }] }) // 5
 */
export function compileTransform(expression: string): CompiledTransform {
  let expr: jsonata.Expression;
  try {
    expr = jsonata(expression);
  } catch (err) {
    const e = err as { message: string; position?: number };
    throw new TransformSyntaxError(`JSONata: ${e.message}`, Math.max(0, (e.position ?? 1) - 1));
  }
  return {
    expression,
    evaluate: async (input) => {
      const v = await expr.evaluate(input);
      return v === undefined ? null : normalise(v);
    },
  };
}

/** JSONata returns arrays with extra markers (sequence flags); copy to plain JSON. */
function normalise(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = normalise(x);
    return out;
  }
  return v;
}
