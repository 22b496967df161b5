import { describe, expect, it } from 'vitest';
import type { StepView, TemplateScope } from '../template/compile.js';
import { TemplateResolutionError } from '../template/compile.js';
import { compare, compileCondition, conditionReads, ConditionEvaluationError, ConditionSyntaxError, parseCondition, type ConditionNode } from './condition.js';

const scope = (input: unknown, tasks: Record<string, StepView> = {}, forEach?: Record<string, unknown>): TemplateScope => ({ input, tasks, ...(forEach ? { forEach } : {}) });
const run = (text: string, input: unknown = {}, tasks: Record<string, StepView> = {}) => compileCondition(text, "step 's'").evaluate(scope(input, tasks));

/** The tree as a compact string: (a && b), !x, (l == r), literals as written, templates as written. */
function shape(n: ConditionNode): string {
  switch (n.type) {
    case 'or':
      return `(${shape(n.left)} || ${shape(n.right)})`;
    case 'and':
      return `(${shape(n.left)} && ${shape(n.right)})`;
    case 'not':
      return `!${shape(n.operand)}`;
    case 'compare':
      return `(${shape(n.left)} ${n.op} ${shape(n.right)})`;
    case 'literal':
      return n.text;
    case 'template':
      return n.text;
  }
}

function syntaxError(text: string): ConditionSyntaxError {
  try {
    parseCondition(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConditionSyntaxError);
    return err as ConditionSyntaxError;
  }
  throw new Error(`'${text}' parsed without error`);
}

function evaluationError(text: string, input: unknown): ConditionEvaluationError {
  try {
    run(text, input);
  } catch (err) {
    expect(err).toBeInstanceOf(ConditionEvaluationError);
    return err as ConditionEvaluationError;
  }
  throw new Error(`'${text}' evaluated without error`);
}

describe('condition operators', () => {
  it.each([
    ['{{input.n}} == 5', 5, true],
    ['{{input.n}} == 5', 6, false],
    ['{{input.n}} != 5', 6, true],
    ['{{input.n}} != 5', 5, false],
    ['{{input.n}} > 5', 6, true],
    ['{{input.n}} > 5', 5, false],
    ['{{input.n}} < 5', 4, true],
    ['{{input.n}} < 5', 5, false],
    ['{{input.n}} >= 5', 5, true],
    ['{{input.n}} >= 5', 4, false],
    ['{{input.n}} <= 5', 5, true],
    ['{{input.n}} <= 5', 6, false],
  ])('%s with n = %s is %s', (text, n, expected) => {
    expect(run(text as string, { n })).toBe(expected);
  });

  it.each([
    ['true && true', true],
    ['true && false', false],
    ['false && true', false],
    ['false || false', false],
    ['false || true', true],
    ['true || false', true],
    ['!true', false],
    ['!false', true],
    ['!!true', true],
  ])('%s is %s', (text, expected) => {
    expect(run(text as string)).toBe(expected);
  });

  it('compares numbers numerically, not as text', () => {
    expect(run('{{input.n}} > 9', { n: 10 })).toBe(true);
    expect(run('{{input.n}} < 10.5', { n: 10.25 })).toBe(true);
    expect(run('{{input.n}} > -1', { n: 0 })).toBe(true);
  });

  it('compares strings exactly: case matters and there is no trimming', () => {
    expect(run("{{input.s}} == 'EUR'", { s: 'EUR' })).toBe(true);
    expect(run("{{input.s}} == 'EUR'", { s: 'eur' })).toBe(false);
    expect(run("{{input.s}} == 'EUR'", { s: 'EUR ' })).toBe(false);
  });

  it('orders strings by code unit with < and >', () => {
    expect(run("{{input.s}} < 'b'", { s: 'a' })).toBe(true);
    expect(run("{{input.s}} >= 'b'", { s: 'B' })).toBe(false);
  });

  it('compares two templates with each other', () => {
    expect(run('{{input.a}} == {{input.b}}', { a: 3, b: 3 })).toBe(true);
    expect(run('{{input.a}} > {{input.b}}', { a: 2, b: 3 })).toBe(false);
  });

  it('compares booleans and null with == and !=', () => {
    expect(run('{{input.ok}} == true', { ok: true })).toBe(true);
    expect(run('{{input.ok}} == false', { ok: true })).toBe(false);
    expect(run('{{input.ok}} != false', { ok: true })).toBe(true);
    expect(run('{{input.v}} == null', { v: null })).toBe(true);
    expect(run('{{input.v}} != null', { v: 0 })).toBe(true);
    expect(run('null == {{input.v}}', { v: 'x' })).toBe(false);
    expect(run('null == null')).toBe(true);
  });

  it('compares arrays and objects by their JSON with == and !=', () => {
    expect(run('{{input.a}} == {{input.b}}', { a: [1, 2], b: [1, 2] })).toBe(true);
    expect(run('{{input.a}} != {{input.b}}', { a: { x: 1 }, b: { x: 2 } })).toBe(true);
    expect(run('{{input.a}} == {{input.b}}', { a: { x: 1 }, b: { x: 2 } })).toBe(false);
  });

  it('uses a boolean template directly as an operand of && and !', () => {
    expect(run('{{input.a}} && !{{input.b}}', { a: true, b: false })).toBe(true);
    expect(run('{{input.a}} && !{{input.b}}', { a: true, b: true })).toBe(false);
  });
});

describe('condition literals', () => {
  it('reads single- and double-quoted strings with escapes', () => {
    expect(run(`{{input.s}} == "it's"`, { s: "it's" })).toBe(true);
    expect(run(`{{input.s}} == 'it\\'s'`, { s: "it's" })).toBe(true);
    expect(run(`{{input.s}} == ''`, { s: '' })).toBe(true);
  });

  it('reads integers, decimals and negative numbers', () => {
    expect(parseCondition('-2.5 < 3')).toMatchObject({ left: { type: 'literal', value: -2.5 }, right: { type: 'literal', value: 3 } });
    expect(run('{{input.n}} == -2.5', { n: -2.5 })).toBe(true);
  });

  it('reads true, false and null as typed literals', () => {
    expect(parseCondition('true == false')).toMatchObject({ left: { value: true }, right: { value: false } });
    expect(parseCondition('null != 0')).toMatchObject({ left: { value: null }, right: { value: 0 } });
  });

  it('reads a quoted template as a string', () => {
    expect(run("'{{input.n}}' == '5'", { n: 5 })).toBe(true);
    expect(run("'id-{{input.n}}' == 'id-5'", { n: 5 })).toBe(true);
  });

  it('resolves template fallbacks inside a condition', () => {
    expect(run("{{input.missing ?? 'none'}} == 'none'", {})).toBe(true);
  });

  it('reads forEach and tasks templates', () => {
    const c = compileCondition("{{forEach.order.status}} == 'pending' && {{tasks.a.output.ok}} == true", "step 's'");
    expect(c.evaluate(scope({}, { a: { status: 'succeeded', output: { ok: true } } }, { order: { status: 'pending' } }))).toBe(true);
    expect(c.evaluate(scope({}, { a: { status: 'succeeded', output: { ok: true } } }, { order: { status: 'shipped' } }))).toBe(false);
  });
});

describe('condition precedence', () => {
  it('binds && tighter than ||', () => {
    expect(shape(parseCondition('true || false && false'))).toBe('(true || (false && false))');
    expect(run('true || false && false')).toBe(true);
  });

  it('binds comparisons tighter than &&', () => {
    expect(shape(parseCondition('{{input.a}} == 1 && {{input.b}} > 2'))).toBe('(({{input.a}} == 1) && ({{input.b}} > 2))');
  });

  it('binds ! tighter than comparisons', () => {
    expect(shape(parseCondition('!{{input.a}} == true'))).toBe('(!{{input.a}} == true)');
    expect(run('!{{input.a}} == true', { a: false })).toBe(true);
  });

  it('applies ! to the parenthesised group', () => {
    expect(shape(parseCondition('!({{input.a}} == 1)'))).toBe('!({{input.a}} == 1)');
    expect(run('!({{input.a}} == 1)', { a: 2 })).toBe(true);
  });

  it('groups left to right for chains of && and of ||', () => {
    expect(shape(parseCondition('true && true && false'))).toBe('((true && true) && false)');
    expect(shape(parseCondition('false || false || true'))).toBe('((false || false) || true)');
  });

  it('parses (a) && (b)', () => {
    expect(shape(parseCondition('({{input.a}} > 1) && ({{input.b}} == "x")'))).toBe('(({{input.a}} > 1) && ({{input.b}} == "x"))');
    expect(run('({{input.a}} > 1) && ({{input.b}} == "x")', { a: 2, b: 'x' })).toBe(true);
    expect(run('({{input.a}} > 1) && ({{input.b}} == "x")', { a: 2, b: 'y' })).toBe(false);
  });

  it('parses !(a || b) && c', () => {
    const text = '!({{input.a}} || {{input.b}}) && {{input.c}}';
    expect(shape(parseCondition(text))).toBe('(!({{input.a}} || {{input.b}}) && {{input.c}})');
    expect(run(text, { a: false, b: false, c: true })).toBe(true);
    expect(run(text, { a: false, b: true, c: true })).toBe(false);
    expect(run(text, { a: false, b: false, c: false })).toBe(false);
  });

  it('lets parentheses override precedence', () => {
    expect(shape(parseCondition('(true || false) && false'))).toBe('((true || false) && false)');
    expect(run('(true || false) && false')).toBe(false);
  });

  it('parses nested parentheses', () => {
    const text = '((({{input.a}} > 1)) && (({{input.b}} < 5) || ({{input.c}} == "y")))';
    expect(shape(parseCondition(text))).toBe('(({{input.a}} > 1) && (({{input.b}} < 5) || ({{input.c}} == "y")))');
    expect(run(text, { a: 2, b: 9, c: 'y' })).toBe(true);
    expect(run(text, { a: 2, b: 9, c: 'n' })).toBe(false);
  });

  it('runs the roadmap range example', () => {
    const text = '{{input.amount}} > 100 && {{input.amount}} < 1000';
    expect(run(text, { amount: 500 })).toBe(true);
    expect(run(text, { amount: 100 })).toBe(false);
    expect(run(text, { amount: 1000 })).toBe(false);
  });

  it('short-circuits: the right side of && is not read when the left is false', () => {
    const tasks: Record<string, StepView> = { a: { status: 'skipped', reason: 'x' } };
    expect(run('false && {{tasks.a.output.ok}} == true', {}, tasks)).toBe(false);
    expect(run('true || {{tasks.a.output.ok}} == true', {}, tasks)).toBe(true);
  });

  it('records the offset of each operator node', () => {
    const tree = parseCondition('{{input.a}} == 1 || !true');
    expect(tree).toMatchObject({ type: 'or', offset: 17, left: { type: 'compare', offset: 12 }, right: { type: 'not', offset: 20 } });
  });

  it('records the offset of template operands, inside quotes past the quote', () => {
    expect(parseCondition("1 == {{input.a}}")).toMatchObject({ right: { type: 'template', offset: 5, quoted: false } });
    expect(parseCondition("1 == '{{input.a}}'")).toMatchObject({ right: { type: 'template', offset: 6, quoted: true } });
  });
});

describe('condition type errors', () => {
  it('names both sides when a number meets a string', () => {
    const err = evaluationError("{{input.n}} > '5'", { n: 7 });
    expect(err.message).toBe(`step 's': cannot compare the number 7 > the string "5" in condition '{{input.n}} > '5''`);
    expect(err.hint).toBe('Both sides must have the same type (number vs string).');
    expect(err.code).toBe('WF_CONDITION_TYPE');
  });

  it('names both sides when a boolean meets a string with ==', () => {
    const err = evaluationError("{{input.ok}} == 'true'", { ok: true });
    expect(err.message).toContain('cannot compare the boolean true == the string "true"');
  });

  it('rejects ordering booleans', () => {
    const err = evaluationError('{{input.a}} > false', { a: true });
    expect(err.message).toContain('cannot compare the boolean true > the boolean false');
    expect(err.hint).toBe("'>' compares numbers or strings only.");
  });

  it('rejects ordering against null', () => {
    expect(evaluationError('{{input.a}} > null', { a: 1 }).message).toContain('cannot compare the number 1 > null');
  });

  it('describes arrays and objects by kind', () => {
    expect(evaluationError('{{input.a}} == {{input.b}}', { a: [1], b: { x: 1 } }).message).toContain('cannot compare an array == an object');
  });

  it('shortens long strings in messages', () => {
    const long = 'x'.repeat(60);
    expect(evaluationError('{{input.s}} > 1', { s: long }).message).toContain(`the string "${'x'.repeat(40)}…" > the number 1`);
  });

  it('rejects a condition that is not true or false as a whole', () => {
    const err = evaluationError('{{input.n}}', { n: 3 });
    expect(err.message).toBe(`step 's': condition '{{input.n}}' gave the number 3, not true or false`);
  });

  it('rejects a non-boolean operand of &&, || and !', () => {
    expect(evaluationError('{{input.n}} && true', { n: 1 }).message).toBe(`step 's': '&&' in condition '{{input.n}} && true' needs true or false, got the number 1`);
    expect(evaluationError('true && {{input.n}}', { n: 'y' }).message).toContain(`'&&' in condition 'true && {{input.n}}' needs true or false, got the string "y"`);
    expect(evaluationError('false || {{input.n}}', { n: null }).message).toContain(`'||' in condition 'false || {{input.n}}' needs true or false, got null`);
    expect(evaluationError('{{input.n}} || true', { n: 0 }).message).toContain(`'||'`);
    expect(evaluationError('!{{input.n}}', { n: [] }).message).toContain(`'!' in condition '!{{input.n}}' needs true or false, got an array`);
  });

  it('reports a missing template value with the step and the path', () => {
    expect(() => run('{{input.nope}} == 1', { yes: 1 })).toThrow(TemplateResolutionError);
    expect(() => run('{{input.nope}} == 1', { yes: 1 })).toThrow(/step 's' condition: \{\{input.nope\}\} has no key 'nope'/);
  });

  it('compare() without a condition text names only the owner and both sides', () => {
    expect(() => compare('>', 1, 'a')).toThrow(/^condition: cannot compare the number 1 > the string "a"$/);
    let err: ConditionEvaluationError | undefined;
    try {
      compare('<=', 1, 'a', "step 'x'");
    } catch (e) {
      err = e as ConditionEvaluationError;
    }
    expect(err?.message).toBe(`step 'x': cannot compare the number 1 <= the string "a"`);
  });

  it('compare() orders equal strings and numbers with <= and >=', () => {
    expect(compare('<=', 'b', 'b')).toBe(true);
    expect(compare('>=', 'a', 'b')).toBe(false);
    expect(compare('<', 2, 2)).toBe(false);
    expect(compare('>', 'b', 'a')).toBe(true);
  });

  it('compare() treats a missing value as null for == and !=', () => {
    expect(compare('==', undefined, null)).toBe(true);
    expect(compare('!=', undefined, 1)).toBe(true);
    expect(compare('==', 1, undefined)).toBe(false);
  });
});

describe('condition syntax errors', () => {
  it.each([
    ['', 0, 'The condition is empty'],
    ['   ', 0, 'The condition is empty'],
    ['{{input.a}} ==', 14, 'Expected a value but found the end of the condition'],
    ['{{input.a}} == == 1', 15, "Expected a value but found '=='"],
    ['({{input.a}} == 1', 17, "Expected ')' but found the end of the condition"],
    ['{{input.a}} == 1)', 16, "Unexpected ')'"],
    ['{{input.a}} == 1 2', 17, "Unexpected '2'"],
    ['{{input.a}} = 1', 12, "Unexpected '=' in condition"],
    ['{{input.a}} & true', 12, "Unexpected '&' in condition"],
    ['{{input.a}} == pending', 15, "Unknown word 'pending' in condition"],
    ["{{input.a}} == 'open", 15, 'Unterminated string in condition'],
    ['{{input.a == 1', 0, 'Unclosed template in condition'],
    ['1 < 2 < 3', 6, "Comparisons cannot be chained at '<'"],
    ['&& true', 0, "Expected a value but found '&&'"],
    ['true &&', 7, 'Expected a value but found the end of the condition'],
    ['()', 1, "Expected a value but found ')'"],
    ['!', 1, 'Expected a value but found the end of the condition'],
  ])('%j fails at offset %i: %s', (text, offset, message) => {
    const err = syntaxError(text as string);
    expect(err.offset).toBe(offset);
    expect(err.message.startsWith(message as string)).toBe(true);
    expect(err.code).toBe('WF_CONDITION_SYNTAX');
    expect(err.hint.length).toBeGreaterThan(0);
  });

  it('points a bad template path at its column inside the condition', () => {
    const err = syntaxError('{{input.a}} == 1 && {{ input. }} == 2');
    expect(err.offset).toBe(29);
    expect(err.message).toContain("Expected a key after '.'");
  });

  it('points a bad template inside quotes past the quote', () => {
    const err = syntaxError("1 == 'x{{ input[ }}'");
    expect(err.offset).toBe(17);
  });

  it('names the column of the opening parenthesis in the hint', () => {
    expect(syntaxError('true && ({{input.a}} == 1').hint).toBe("Close the parenthesis opened at column 9.");
  });

  it('suggests a template or quotes for a bare word', () => {
    expect(syntaxError('{{input.a}} == pending').hint).toBe("Values come from templates such as {{input.pending}}; strings are quoted: 'pending'.");
  });

  it('compileCondition throws the same syntax error at load time', () => {
    expect(() => compileCondition('{{input.a}} ==', "step 's'")).toThrow(ConditionSyntaxError);
  });

  it('keeps the text and the tree of a compiled condition', () => {
    const c = compileCondition('{{input.a}} == 1', "step 's'");
    expect(c.text).toBe('{{input.a}} == 1');
    expect(c.tree.type).toBe('compare');
  });
});

describe('conditionReads', () => {
  it('finds a root read by a template anywhere in the tree', () => {
    expect(conditionReads(parseCondition("{{forEach.order.status}} == 'pending'"), 'forEach')).toBe(true);
    expect(conditionReads(parseCondition("true && !({{input.a}} == 1 || 'x' != {{forEach.x}})"), 'forEach')).toBe(true);
    expect(conditionReads(parseCondition("{{input.a}} == 1 || {{forEach.x}} == 2"), 'input')).toBe(true);
    expect(conditionReads(parseCondition("!{{forEach.ok}}"), 'forEach')).toBe(true);
  });

  it('is false when no template reads the root', () => {
    expect(conditionReads(parseCondition('{{tasks.a.output.ok}} == true && {{input.n}} > 1'), 'forEach')).toBe(false);
    expect(conditionReads(parseCondition("!(1 == 2) || 'forEach' == 'x'"), 'forEach')).toBe(false);
  });
});

describe('condition edge cases', () => {
  it('names its error classes', () => {
    expect(syntaxError('').name).toBe('ConditionSyntaxError');
    expect(evaluationError('{{input.n}}', { n: 1 }).name).toBe('ConditionEvaluationError');
  });

  it('reads decimals with several digits', () => {
    expect(run('{{input.n}} == 2.55', { n: 2.55 })).toBe(true);
  });

  it('treats quoted operator characters as strings, not operators', () => {
    expect(run("{{input.s}} == ')'", { s: ')' })).toBe(true);
    expect(run("{{input.s}} == '('", { s: '(' })).toBe(true);
    expect(run("('&&' == {{input.s}})", { s: '&&' })).toBe(true);
    const err = syntaxError("true '||' false");
    expect(err.offset).toBe(5);
    expect(err.message).toBe("Unexpected ''||''");
  });

  it.each(['==', '!=', '>', '<', '>=', '<='])('refuses a chain continued with %s', (op) => {
    const err = syntaxError(`1 == 1 ${op} true`);
    expect(err.message).toBe(`Comparisons cannot be chained at '${op}'`);
    expect(err.offset).toBe(7);
    expect(err.hint).toBe('Join comparisons with && or ||.');
  });

  it('hints differently at the end of the condition and before an operator', () => {
    expect(syntaxError('{{input.a}} ==').hint).toBe('The condition ends too early: complete the last comparison.');
    expect(syntaxError('{{input.a}} == &&').hint).toBe('A value is a template, a quoted string, a number, true, false or null.');
  });

  it('hints how to fix a non-boolean condition or operand', () => {
    expect(evaluationError('{{input.n}}', { n: 1 }).hint).toBe('Compare the value: {{…}} == true.');
    expect(evaluationError('!{{input.n}}', { n: 1 }).hint).toBe('Compare the value first, e.g. {{…}} == true.');
    expect(syntaxError('{{input.a}} = 1').hint).toBe('Operators: == != > < >= <= && || ! ( ).');
    expect(syntaxError('{{input.a}} == 1)').hint).toBe('Join comparisons with && or ||, and balance the parentheses.');
    expect(syntaxError("{{input.a}} == 'x").hint).toBe("Close the string with '.");
    expect(syntaxError('{{input.a == 1').hint).toBe("Close the template with '}}'.");
    expect(syntaxError('').hint).toBe('Write a comparison such as {{input.amount}} > 100.');
  });

  it('keeps a string of exactly 40 characters whole in messages', () => {
    const s40 = 'y'.repeat(40);
    expect(evaluationError('{{input.s}} > 1', { s: s40 }).message).toContain(`the string "${s40}" > the number 1`);
  });

  it('names null in the type hint', () => {
    expect(evaluationError('{{input.a}} > null', { a: 1 }).hint).toBe('Both sides must have the same type (number vs null).');
    expect(evaluationError('{{input.a}} > {{input.b}}', { a: [1], b: 1 }).hint).toBe('Both sides must have the same type (array vs number).');
  });

  it('!= is true for a smaller number and for different strings', () => {
    expect(run('{{input.n}} != 5', { n: 4 })).toBe(true);
    expect(run("{{input.s}} != 'b'", { s: 'a' })).toBe(true);
    expect(run('{{input.a}} != {{input.b}}', { a: [1], b: [1] })).toBe(false);
  });

  it('reports the template error hint of a bad template inside a condition', () => {
    expect(syntaxError('{{ input. }} == 1').hint).toBe('Remove the trailing dot or add a key.');
  });
});
