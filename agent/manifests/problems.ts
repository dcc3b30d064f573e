/**
 * A problem found in a manifest: where it is (an offset in the text, placed
 * at line and column, or at the node of a path in the parsed YAML) and the
 * words an operator reads. Pure, shared by the parts of the parse.
 */
import { isAlias, isMap, isScalar, isSeq, type Document } from 'yaml';

export type ParsedDoc = Document.Parsed;

export interface Problem {
  offset: number | null;
  message: string;
}

/** Beyond this, one closing problem counts the rest. */
export const MAX_PROBLEMS = 20;

export const NO_POSITION = { line: 0, column: 0 } as const;

/** Positions come from a line index of the text, independent of how far the parser got. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  at(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.starts[lo] ?? 0) + 1 };
  }
}

/** Everything one parse knows, so that problems can be placed. */
export class Placing {
  constructor(
    readonly text: string,
    readonly lines: LineIndex,
    readonly doc: ParsedDoc | null,
  ) {}

  /** The offset of the node at `path`, or of the nearest ancestor found; collections by their key. */
  offsetOf(path: readonly PropertyKey[]): number | null {
    const doc = this.doc;
    if (!doc) return null;
    let node: unknown = doc.contents;
    let best = rangeStart(node);
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => scalarKey(p.key) === String(seg));
        if (!pair) break;
        const value = pair.value;
        const keyAt = rangeStart(pair.key);
        best = (isScalar(value) ? rangeStart(value) : keyAt) ?? keyAt ?? best;
        node = value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item: unknown = node.items[seg];
        if (item === undefined) break;
        best = rangeStart(item) ?? best;
        node = item;
      } else {
        break;
      }
    }
    return best;
  }

  /** The source text of the scalar at `path` (e.g. `yes`), if that is where the path ends. */
  sourceOf(path: readonly PropertyKey[]): string | null {
    const doc = this.doc;
    if (!doc) return null;
    let node: unknown = doc.contents;
    for (const seg of path) {
      if (isMap(node)) node = node.items.find((p) => scalarKey(p.key) === String(seg))?.value;
      else if (isSeq(node) && typeof seg === 'number') node = node.items[seg];
      else return null;
    }
    if (!isScalar(node) || !node.range) return null;
    return this.text.slice(node.range[0], node.range[1]);
  }
}

export function rangeStart(node: unknown): number | null {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as { range?: unknown }).range;
    if (Array.isArray(range) && typeof range[0] === 'number') return range[0];
  }
  return null;
}

export function scalarKey(key: unknown): string | null {
  return isScalar(key) ? String(key.value) : null;
}

export type Path = readonly PropertyKey[];

function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && seg.length <= 60 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${quote(String(seg))}]`;
  }
  return out;
}

export function at(placing: Placing, path: Path, message: string): Problem {
  const where = formatPath(path);
  return { offset: placing.offsetOf(path), message: where === '' ? message : `${where}: ${message}` };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A name from the file, quoted and cut short: messages stay one readable line. */
export function quote(s: string): string {
  return s.length > 60 ? `${JSON.stringify(s.slice(0, 60))}…` : JSON.stringify(s);
}

export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') return `the string ${quote(v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

export function codePoint(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** UTF-8 size without an encoder; ASCII runs cost nothing (50 ms a MiB in a plain loop in lite mode, 5 this way). */
export function utf8ByteLength(s: string): number {
  let n = s.length;
  for (const run of s.matchAll(/[\u0080-\uffff]+/g)) {
    const t = run[0];
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c < 0x800) {
        n += 1;
      } else {
        // 3 bytes for one unit; 4 for a surrogate pair, whose second unit is counted here.
        n += 2;
        if (c >= 0xd800 && c <= 0xdbff && (t.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
      }
    }
  }
  return n;
}
