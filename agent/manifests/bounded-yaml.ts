/**
 * YAML read the way kubelet's go-yaml v2 reads it, bounded against hostile
 * input. The input may be hostile (anyone who can write the directory, or an apply
 * request), so parsing is bounded before the yaml package sees deep or large
 * structure: it recurses per nesting level, checks key uniqueness in
 * O(keys²) and resolves each alias by scanning the document, so that a 1 MiB
 * file can cost it minutes. Each lexer token is checked against limits on
 * nesting, tokens, aliases and documents before the parser gets it; see the
 * constants. Worst case measured: ~0.3 s for a 1 MiB file in V8 lite mode.
 */
import { Composer, Lexer, Parser, isCollection, isMap, isSeq, type Tags } from 'yaml';
import { quote, rangeStart, scalarKey, type ParsedDoc, type Problem } from './problems.js';

/** A Pod is about 10 levels deep; the bound counts block indentation twice. The yaml package recurses per level. */
const MAX_NESTING = 64;
/** kube-apiserver.yaml is ~900 tokens. Bounds parse time whatever the bytes: ~10 µs a token in V8 lite mode. */
const MAX_TOKENS = 10_000;
/** Alias uses (`*name`); composing each one scans the document. */
const MAX_ALIASES = 100;
/** Passed to the yaml package: alias expansions, weighted by size, against "billion laughs". */
export const MAX_ALIAS_EXPANSIONS = 100;
/** `---` lines; one Pod needs at most two, and each document costs the yaml package a schema. */
const MAX_DOCUMENT_MARKERS = 16;

/**
 * go-yaml v2 (kubelet's) keeps timestamps and base-60 numbers as strings;
 * the yaml package's 1.1 schema would make them a Date and a number.
 */
const goYamlTags = (tags: Tags): Tags => tags.filter((t) => typeof t === 'string' || (t.tag !== 'tag:yaml.org,2002:timestamp' && t.format !== 'TIME'));

const YAML_OPTIONS = {
  version: '1.1',
  customTags: goYamlTags,
  // Checked here in O(keys) instead: the yaml package's check is quadratic.
  uniqueKeys: false,
  prettyErrors: false,
  // Pure code: the yaml package would otherwise call process.emitWarning.
  logLevel: 'error',
} as const;

/** Why the token scan stopped, at which offset. */
interface ScanStop {
  offset: number;
  message: string;
}

const ZERO_WIDTH = new Set(['\x02', '\x18', '\x1f']);

/**
 * Lexes and composes in one pass, stopping before the yaml package sees
 * more nesting, tokens, aliases or documents than a Pod could need. The nesting bound
 * over-estimates: flow brackets, plus twice the indentation levels open (a
 * block sequence may sit at its parent key's indentation), plus the block
 * indicators (`-`, `?`, `:`) on the current line.
 */
export function composeBounded(text: string): { docs: ParsedDoc[]; stop: ScanStop | null; firstAlias: number } {
  const parser = new Parser();
  const composer = new Composer(YAML_OPTIONS);
  const docs: ParsedDoc[] = [];
  let offset = 0;
  let tokens = 0;
  let aliases = 0;
  let documents = 0;
  let firstAlias = -1;
  let flow = 0;
  let indents: number[] = [];
  let lineIndicators = 0;
  let lineIndent = 0;
  let atLineStart = true;
  let scalarText = false;
  let blockScalar = false;
  for (const tok of new Lexer().lex(text)) {
    const at = offset;
    if (!ZERO_WIDTH.has(tok)) offset += tok.length;
    if (++tokens > MAX_TOKENS) {
      return {
        docs,
        firstAlias,
        stop: { offset: at, message: `has more than ${MAX_TOKENS} YAML tokens; a Pod needs a few thousand at most: not parsing further` },
      };
    }
    if (scalarText) {
      scalarText = false;
    } else if (blockScalar && tok === '\x1f') {
      // The content of `|` or `>` comes on the next lines, but is no structure.
      blockScalar = false;
      scalarText = true;
    } else if (tok === '\n' || tok === '\r\n') {
      atLineStart = true;
      lineIndent = 0;
      lineIndicators = 0;
    } else if (tok === '---' || tok === '...') {
      indents = [];
      flow = 0;
      if (tok === '---' && ++documents > MAX_DOCUMENT_MARKERS) {
        return {
          docs,
          firstAlias,
          stop: { offset: at, message: `holds more than ${MAX_DOCUMENT_MARKERS} YAML documents; kubelet runs only the first: keep one Pod in this file` },
        };
      }
    } else if (tok.startsWith(' ') || tok.startsWith('\t')) {
      if (atLineStart) lineIndent = tok.length;
    } else if (tok !== '\x02' && tok !== '\uFEFF' && !tok.startsWith('#')) {
      if (atLineStart && flow === 0) {
        while (indents.length > 0 && (indents.at(-1) ?? 0) >= lineIndent) indents.pop();
        indents.push(lineIndent);
      }
      atLineStart = false;
      if (tok === '\x1f') scalarText = true;
      else if (tok === '[' || tok === '{') flow++;
      else if (tok === ']' || tok === '}') flow = Math.max(0, flow - 1);
      else if ((tok === '-' || tok === '?' || tok === ':') && flow === 0) lineIndicators++;
      else if (tok.startsWith('|') || tok.startsWith('>')) blockScalar = true;
      else if (tok.startsWith('*')) {
        if (firstAlias < 0) firstAlias = at;
        if (++aliases > MAX_ALIASES) {
          return { docs, firstAlias, stop: { offset: at, message: `uses more than ${MAX_ALIASES} aliases (*name): write the Pod out without them` } };
        }
      }
      if (2 * indents.length + lineIndicators + flow > MAX_NESTING) {
        return { docs, firstAlias, stop: { offset: at, message: `nests deeper than ${MAX_NESTING} levels here; a Pod needs about 10: not parsing further` } };
      }
    }
    for (const cst of parser.next(tok)) for (const doc of composer.next(cst)) docs.push(doc);
  }
  for (const cst of parser.end()) for (const doc of composer.next(cst)) docs.push(doc);
  for (const doc of composer.end(false, text.length)) docs.push(doc);
  return { docs, stop: null, firstAlias };
}

/** Whether the value reaches itself (`a: &a {b: *a}`); depth-first without recursion. */
export function isCyclic(root: unknown): boolean {
  const done = new Set<object>();
  const onPath = new Set<object>();
  const stack: { node: object; children: unknown[]; next: number }[] = [];
  const enter = (v: unknown): boolean => {
    if (typeof v !== 'object' || v === null || done.has(v)) return false;
    if (onPath.has(v)) return true;
    onPath.add(v);
    stack.push({ node: v, children: Object.values(v), next: 0 });
    return false;
  };
  if (enter(root)) return true;
  for (let top = stack.at(-1); top; top = stack.at(-1)) {
    if (top.next < top.children.length) {
      if (enter(top.children[top.next++])) return true;
    } else {
      stack.pop();
      onPath.delete(top.node);
      done.add(top.node);
    }
  }
  return false;
}

/** Keys that repeat one earlier in their mapping (as toJS would stringify them) or are collections, iteratively. */
export function badKeys(doc: ParsedDoc | null): Problem[] {
  const out: Problem[] = [];
  if (!doc) return out;
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = scalarKey(pair.key);
        if (key !== null && key !== '<<') {
          if (seen.has(key)) out.push({ offset: rangeStart(pair.key), message: `key ${quote(key)} appears twice in the same mapping: keep one` });
          seen.add(key);
        }
        if (isCollection(pair.key)) {
          out.push({ offset: rangeStart(pair.key), message: 'a mapping or list is used as a key: kubelet cannot read that; use a plain string key' });
        }
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return out;
}
