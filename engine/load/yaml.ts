import jsyaml from 'js-yaml';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import type { Diagnostic, SourcePosition } from '../model/diagnostic.js';

/** One YAML document of a file, as plain JSON plus a way back to line and column. */
export interface YamlDocument {
  file: string;
  index: number;
  value: unknown;
  /** Position of the value at a JSON pointer, or of its nearest existing parent. */
  locate(pointer: string, options?: { key?: boolean }): SourcePosition;
}

export interface ParsedYaml {
  documents: YamlDocument[];
  diagnostics: Diagnostic[];
}

/** Splits a JSON pointer into its unescaped segments. */
export function pointerSegments(pointer: string): string[] {
  if (!pointer || pointer === '/') return [];
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Joins segments into a JSON pointer. */
export function toPointer(segments: ReadonlyArray<string | number>): string {
  return segments.length ? '/' + segments.map((s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('/') : '';
}

/** YAML 1.2 core schema (no timestamps: dates stay strings) plus merge keys. */
const VALUE_SCHEMA = jsyaml.CORE_SCHEMA.extend({ implicit: [(jsyaml as unknown as { types: { merge: jsyaml.Type } }).types.merge] });

/**
 * Parses a multi-document YAML text. Syntax errors become diagnostics at their line and column;
 * empty documents are dropped.
 *
 * Values come from a fast parser; the position-keeping parse (CST with ranges) runs only when
 * something asks where a value is, or when the fast parse fails and the error needs a precise
 * place. Validating a clean tree therefore never pays for positions.
 * @example parseYaml('a: 1\n---\nb: 2\n', 'x.yaml').documents.map((d) => d.value) // [{a: 1}, {b: 2}]
 */
export function parseYaml(text: string, file: string): ParsedYaml {
  const values: unknown[] = [];
  try {
    jsyaml.loadAll(text, (v) => values.push(v), { schema: VALUE_SCHEMA, filename: file });
  } catch {
    return parseDetailed(text, file);
  }
  let detailed: ParsedYaml | undefined;
  const documents: YamlDocument[] = [];
  values.forEach((value, index) => {
    if (value === null || value === undefined) return;
    documents.push({
      file,
      index,
      value,
      locate: (pointer, options) => {
        detailed ??= parseDetailed(text, file);
        const doc = detailed.documents.find((d) => d.index === index) ?? detailed.documents[0];
        return doc ? doc.locate(pointer, options) : { file, line: 1, column: 1 };
      },
    });
  });
  return { documents, diagnostics: [] };
}

/** The position-keeping parse: every node keeps its range; errors become diagnostics. */
function parseDetailed(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const diagnostics: Diagnostic[] = [];
  const documents: YamlDocument[] = [];
  const position = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, index) => {
    if (doc.errors.length) {
      for (const e of doc.errors) {
        const at = position(e.pos[0]);
        const newDocument = e.code === 'DUPLICATE_KEY' && at.column === 1;
        diagnostics.push({
          code: 'WF_YAML_SYNTAX',
          severity: 'error',
          message: `YAML syntax error: ${e.message.split('\n')[0]}`,
          hint: newDocument
            ? 'A top-level key repeats: if this starts another resource, separate the two with a line holding only ---.'
            : 'Fix the YAML syntax (indentation, quoting, a missing colon) at this position.',
          ...at,
        });
      }
      return;
    }
    if (doc.contents === null) return;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      diagnostics.push({
        code: 'WF_YAML_SYNTAX',
        severity: 'error',
        message: `YAML could not be read: ${(err as Error).message}`,
        ...position(doc.contents.range?.[0] ?? 0),
      });
      return;
    }
    if (value === null || value === undefined) return;
    documents.push({ file, index, value, locate: (pointer, options) => locateIn(doc, pointer, position, options?.key) });
  });
  return { documents, diagnostics };
}

function locateIn(
  doc: Document,
  pointer: string,
  position: (offset: number) => SourcePosition,
  key = false,
): SourcePosition {
  let node: unknown = doc.contents;
  let at = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const seg of pointerSegments(pointer)) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === seg);
      if (!pair) break;
      const keyAt = (pair.key as Node).range?.[0] ?? at;
      const valueNode = pair.value as Node | null;
      node = valueNode;
      at = key || !valueNode?.range ? keyAt : contentStart(valueNode);
      if (!valueNode) break;
      continue;
    }
    if (isSeq(node)) {
      const item = node.items[Number(seg)] as Node | undefined;
      if (!item) break;
      node = item;
      at = item.range ? contentStart(item) : at;
      continue;
    }
    break;
  }
  return position(at);
}

/** Offset of a node's first content character: one past the opening quote of a quoted scalar. */
function contentStart(node: Node): number {
  const start = node.range![0];
  return isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') ? start + 1 : start;
}
