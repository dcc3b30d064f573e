/**
 * Reads one file of the static pod manifests dir the way kubelet would, and
 * says whether kubelet will run it: a v1 Pod, in YAML or JSON, fit for a
 * static pod. Pure: text in, verdict and inventory out; no I/O, no clocks.
 *
 * Fidelity to kubelet (pkg/kubelet/config/common.go, tryDecodeSinglePod):
 * - A file whose first non-blank character is `{` is JSON (apimachinery's
 *   hasJSONPrefix); anything else is YAML as go-yaml v2 reads it, i.e. YAML
 *   1.1 scalars (`yes` is a boolean, `0644` is octal), but timestamps and
 *   sexagesimal numbers stay strings.
 * - The pod must pass API validation after defaulting (a `0` probe period is
 *   the default, not an error) and must not refer to API objects: "The spec of
 *   a static Pod cannot refer to other API objects (e.g., ServiceAccount,
 *   ConfigMap, Secret, etc)" (kubernetes.io, static pods), because the API
 *   server refuses the mirror pod (ServiceAccount and NodeRestriction
 *   admission), so the pod runs but is invisible to kubectl.
 * - Unknown fields are tolerated, as kubelet's non-strict decoding does;
 *   known fields must have the right types.
 *
 * Stricter than kubelet, on purpose: a second YAML document (kubelet silently
 * ignores it) and duplicate keys (kubelet keeps the last) are problems.
 *
 * The input may be hostile (anyone who can write the directory, or an apply
 * request), so parsing is bounded before the yaml package sees deep or large
 * structure: it recurses per nesting level, checks key uniqueness in
 * O(keys²) and resolves each alias by scanning the document, so that a 1 MiB
 * file can cost it minutes. Each lexer token is checked against limits on
 * nesting, tokens, aliases and documents before the parser gets it; see the
 * constants. Worst case measured: ~0.3 s for a 1 MiB file in V8 lite mode.
 */
import { Composer, Lexer, Parser, isAlias, isCollection, isMap, isScalar, isSeq, type Document, type Tags } from 'yaml';
import { z } from 'zod';
import type { ContainerInfo__Output as ContainerInfo } from '../../proto/gen/belay/v1/ContainerInfo.js';
import type { HostPathVolume__Output as HostPathVolume } from '../../proto/gen/belay/v1/HostPathVolume.js';
import type { ManifestProblem__Output as ManifestProblem } from '../../proto/gen/belay/v1/ManifestProblem.js';

export interface ParsedManifest {
  /** Parsed and validated as a v1 Pod fit for a static pod. */
  valid: boolean;
  /** Why not, each at its 1-based line and column (0: no position); empty when valid. */
  problems: ManifestProblem[];
  /** '' when unknown. */
  podName: string;
  /** metadata.namespace, "default" when absent (as kubelet does); '' when unknown. */
  namespace: string;
  /** spec.containers, as far as they could be read (also when not valid). */
  containers: ContainerInfo[];
  hostPaths: HostPathVolume[];
  /** The file's object (JSON-compatible), only when valid. */
  pod?: unknown;
}

/** Larger files are refused unread: a kubeadm manifest is about 4 KiB. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

/** Longest file name on Linux filesystems (NAME_MAX), in bytes. */
const MAX_FILE_NAME_BYTES = 255;
/** A Pod is about 10 levels deep; the bound counts block indentation twice. The yaml package recurses per level. */
const MAX_NESTING = 64;
/** kube-apiserver.yaml is ~900 tokens. Bounds parse time whatever the bytes: ~10 µs a token in V8 lite mode. */
const MAX_TOKENS = 10_000;
/** Alias uses (`*name`); composing each one scans the document. */
const MAX_ALIASES = 100;
/** Passed to the yaml package: alias expansions, weighted by size, against "billion laughs". */
const MAX_ALIAS_EXPANSIONS = 100;
/** `---` lines; one Pod needs at most two, and each document costs the yaml package a schema. */
const MAX_DOCUMENT_MARKERS = 16;
/** Beyond this, one closing problem counts the rest. */
const MAX_PROBLEMS = 20;

const NO_POSITION = { line: 0, column: 0 } as const;

// ---------------------------------------------------------------------------
// File names

const MANIFEST_EXTENSION = /\.(ya?ml|json)$/i;
const EDITOR_LEFTOVER = /(~|\.swp|\.swo|\.swx|\.tmp|\.bak|\.orig|\.dpkg-[a-z]+|\.rpm[a-z]+)$|^#.*#$/i;
// eslint-disable-next-line no-control-regex
const CONTROL_CHAR = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Whether the agent counts the file as a manifest. kubelet itself reads every
 * file not starting with a dot, so an editor leftover beside a manifest
 * (etcd.yaml~, #etcd.yaml#) runs as a second copy of its pod: worth seeing in
 * a listing of the directory, never worth managing.
 */
export function isManifestFileName(name: string): boolean {
  return (
    name.length > 0 &&
    !name.includes('/') &&
    !name.includes('\0') &&
    !name.startsWith('.') &&
    !EDITOR_LEFTOVER.test(name) &&
    MANIFEST_EXTENSION.test(name) &&
    utf8ByteLength(name) <= MAX_FILE_NAME_BYTES
  );
}

/** For apply requests: a name the agent will write into the manifests dir, with the reason when it will not. */
export function validManifestName(name: string): { ok: true } | { ok: false; reason: string } {
  const reason = fileNameProblem(name);
  return reason === null ? { ok: true } : { ok: false, reason };
}

function fileNameProblem(name: string): string | null {
  const quoted = quote(name);
  const example = 'like etcd.yaml';
  if (name.length === 0) return `file name is empty: give a plain file name in the manifests dir, ${example}`;
  const control = CONTROL_CHAR.exec(name);
  if (control) return `file name ${quoted} contains the control character ${codePoint(control[0])}: use letters, digits, '-', '_' and '.'`;
  if (name.startsWith('/')) return `file name ${quoted} is an absolute path: give a plain file name in the manifests dir, ${example}`;
  if (name.includes('/') || name.includes('\\') || name.includes('..')) {
    return `file name ${quoted} must be a plain file name in the manifests dir, ${example}`;
  }
  if (name !== name.trim()) return `file name ${quoted} starts or ends with a space: name it ${example}`;
  if (name.startsWith('.')) return `file name ${quoted} starts with a dot: kubelet skips hidden files, so it would never run; name it ${example}`;
  if (EDITOR_LEFTOVER.test(name)) return `file name ${quoted} looks like an editor or package-manager leftover, not a manifest: name it ${example}`;
  if (!MANIFEST_EXTENSION.test(name)) return `file name ${quoted} must end in .yaml, .yml or .json, ${example}`;
  const bytes = utf8ByteLength(name);
  if (bytes > MAX_FILE_NAME_BYTES) return `file name is ${bytes} bytes long; at most ${MAX_FILE_NAME_BYTES}: shorten it`;
  return null;
}

// ---------------------------------------------------------------------------
// Parsing

/** Positions come from a line index of the text, independent of how far the parser got. */
class LineIndex {
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

type ParsedDoc = Document.Parsed;

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
function composeBounded(text: string): { docs: ParsedDoc[]; stop: ScanStop | null; firstAlias: number } {
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

interface Problem {
  offset: number | null;
  message: string;
}

/** Everything one parse knows, so that problems can be placed. */
class Placing {
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

function rangeStart(node: unknown): number | null {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as { range?: unknown }).range;
    if (Array.isArray(range) && typeof range[0] === 'number') return range[0];
  }
  return null;
}

function scalarKey(key: unknown): string | null {
  return isScalar(key) ? String(key.value) : null;
}

/**
 * Parses and validates one manifest. Never throws: whatever the bytes, the
 * answer is valid with a pod name, or invalid with at least one problem.
 */
export function parseManifest(fileName: string, text: string): ParsedManifest {
  try {
    return parseUnguarded(fileName, text);
  } catch (err) {
    const kind = err instanceof Error ? err.name : typeof err;
    return invalid([
      { ...NO_POSITION, message: `could not be parsed: the parser failed on this input (${kind}); fix the file by hand, and report it as a belay bug` },
    ]);
  }
}

function parseUnguarded(fileName: string, text: string): ParsedManifest {
  // A UTF-16 unit is at least one UTF-8 byte: no need to count all of a huge string.
  const bytes = text.length > 4 * MAX_MANIFEST_BYTES ? null : utf8ByteLength(text);
  if (bytes === null || bytes > MAX_MANIFEST_BYTES) {
    const size = bytes === null ? `over ${MAX_MANIFEST_BYTES}` : String(bytes);
    return invalid([
      {
        ...NO_POSITION,
        message: `is ${size} bytes, past the limit of ${MAX_MANIFEST_BYTES} bytes (1 MiB) for a manifest: move large data into a file on the node (hostPath volume)`,
      },
    ]);
  }
  if (text.trim().length === 0) {
    return invalid([{ ...NO_POSITION, message: 'is empty: a manifest holds one v1 Pod (apiVersion: v1, kind: Pod)' }]);
  }
  const lines = new LineIndex(text);
  const place = (p: Problem): ManifestProblem => ({ ...(p.offset === null ? NO_POSITION : lines.at(p.offset)), message: p.message });

  const bad = notText(text);
  if (bad) return invalid([place(bad)]);

  const { docs, stop, firstAlias } = composeBounded(text);
  if (stop) return invalid([place(stop)]);

  const json = isJsonText(text);
  // `---` alone makes a document of null; kubelet's go-yaml skips it as nothing.
  const nonEmpty = docs.filter((d) => d.errors.length > 0 || !(d.contents === null || (isScalar(d.contents) && d.contents.value === null)));
  const doc = nonEmpty[0] ?? null;
  let value: unknown;
  if (json) {
    // kubelet decodes it as JSON; the YAML parse only serves to place problems.
    try {
      value = JSON.parse(text);
    } catch (err) {
      return invalid([place(jsonProblem(text, err))]);
    }
  } else {
    const errors = docs.flatMap((d) => d.errors);
    if (errors.length > 0) {
      return invalid(capped(sortProblems(errors.map((e) => place({ offset: e.pos[0], message: `is not valid YAML: ${firstLine(e.message)}` })))));
    }
    if (!doc) return invalid([{ ...NO_POSITION, message: 'holds no YAML document, only comments: a manifest holds one v1 Pod (apiVersion: v1, kind: Pod)' }]);
    if (nonEmpty.length > 1) {
      const second = nonEmpty[1];
      return invalid([
        place({
          offset: second ? (rangeStart(second.contents) ?? second.range[0]) : null,
          message: `holds ${nonEmpty.length} YAML documents; kubelet runs only the first: give each Pod a file of its own beside ${fileName}`,
        }),
      ]);
    }
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
    } catch (err) {
      if (err instanceof ReferenceError) {
        return invalid([
          place({
            offset: firstAlias >= 0 ? firstAlias : null,
            message: 'its aliases (*name) expand to too much data: write the Pod out without anchors and aliases',
          }),
        ]);
      }
      throw err;
    }
    if (firstAlias >= 0 && isCyclic(value)) {
      return invalid([
        place({
          offset: firstAlias,
          message: 'an alias (*name) refers to a mapping or list that contains it: kubelet refuses a recursive anchor; write the Pod out without it',
        }),
      ]);
    }
  }

  const placing = new Placing(text, lines, doc);
  const problems: Problem[] = [];
  problems.push(...badKeys(doc));
  const header = checkHeader(value, placing);
  problems.push(...header);
  if (header.length === 0) {
    problems.push(...checkSchema(value, placing), ...checkStaticPod(value, placing));
  }
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.offset}\0${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  // The inventory of what is a Pod, valid or not; a Deployment's name is no pod name.
  const inventory = header.length === 0 ? readInventory(value) : {};
  if (unique.length > 0) return { ...invalid(capped(sortProblems(unique.map(place)))), ...inventory };
  return { ...invalid([]), ...inventory, valid: true, pod: value };
}

function invalid(problems: ManifestProblem[]): ParsedManifest {
  return { valid: false, problems, podName: '', namespace: '', containers: [], hostPaths: [] };
}

function capped(problems: ManifestProblem[]): ManifestProblem[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  const rest = problems.length - (MAX_PROBLEMS - 1);
  return [...problems.slice(0, MAX_PROBLEMS - 1), { ...NO_POSITION, message: `and ${rest} more problems` }];
}

function sortProblems(problems: ManifestProblem[]): ManifestProblem[] {
  // Positionless ones (line 0) last; Array.prototype.sort is stable.
  const rank = (p: ManifestProblem): number => (p.line === 0 ? Number.MAX_SAFE_INTEGER : p.line);
  return problems.sort((a, b) => rank(a) - rank(b) || a.column - b.column);
}

/** apimachinery's hasJSONPrefix: JSON is what starts with `{` after blanks. */
function isJsonText(text: string): boolean {
  const m = /^[ \t\r\n]*(.)/.exec(text);
  return m?.[1] === '{';
}

function jsonProblem(text: string, err: unknown): Problem {
  const message = err instanceof Error ? err.message : '';
  const at = /at position (\d+)/.exec(message);
  const offset = at ? Math.min(Number(at[1]), text.length) : text.length;
  const reason = message.replace(/ in JSON at position \d+.*$/s, '').replace(/\s*\(line \d+ column \d+\)$/, '');
  return { offset, message: `is not valid JSON (kubelet reads a file starting with '{' as JSON): ${firstLine(reason) || 'parse error'}` };
}

/** YAML (c-printable) and JSON both forbid control characters; U+FFFD is where bytes were not UTF-8. */
const NOT_TEXT =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|\ufffd/;

function notText(text: string): Problem | null {
  const m = NOT_TEXT.exec(text);
  if (!m) return null;
  const ch = m[0];
  if (ch === '\ufffd') return { offset: m.index, message: 'contains bytes that are not UTF-8 (shown as U+FFFD): save the file as UTF-8' };
  return { offset: m.index, message: `contains the control character ${codePoint(ch)}: a manifest is UTF-8 text (is this a binary file?)` };
}

function codePoint(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').trim();
}

/** UTF-8 size without an encoder; ASCII runs cost nothing (50 ms a MiB in a plain loop in lite mode, 5 this way). */
function utf8ByteLength(s: string): number {
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

/** Whether the value reaches itself (`a: &a {b: *a}`); depth-first without recursion. */
function isCyclic(root: unknown): boolean {
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
function badKeys(doc: ParsedDoc | null): Problem[] {
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

// ---------------------------------------------------------------------------
// Validation

type Path = readonly PropertyKey[];

function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && seg.length <= 60 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${quote(String(seg))}]`;
  }
  return out;
}

function at(placing: Placing, path: Path, message: string): Problem {
  const where = formatPath(path);
  return { offset: placing.offsetOf(path), message: where === '' ? message : `${where}: ${message}` };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A name from the file, quoted and cut short: messages stay one readable line. */
function quote(s: string): string {
  return s.length > 60 ? `${JSON.stringify(s.slice(0, 60))}…` : JSON.stringify(s);
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') return `the string ${quote(v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

function checkHeader(value: unknown, placing: Placing): Problem[] {
  if (!isRecord(value)) {
    return [at(placing, [], `is ${describeValue(value)}, not a Pod: a manifest is a mapping with apiVersion: v1, kind: Pod, metadata and spec`)];
  }
  const out: Problem[] = [];
  const { apiVersion, kind } = value;
  if (apiVersion !== 'v1') {
    out.push(
      apiVersion === undefined || apiVersion === null
        ? at(placing, [], 'apiVersion is missing: a static pod manifest has apiVersion: v1 and kind: Pod')
        : at(placing, ['apiVersion'], `is ${describeValue(apiVersion)}; a static pod is apiVersion: v1, kind: Pod`),
    );
  }
  if (kind !== 'Pod') {
    out.push(
      kind === undefined || kind === null
        ? at(placing, [], 'kind is missing: a static pod manifest has apiVersion: v1 and kind: Pod')
        : at(
            placing,
            ['kind'],
            `is ${describeValue(kind)}; kubelet runs only kind: Pod from the manifests dir (other kinds belong in the API server: kubectl apply)`,
          ),
    );
  }
  return out;
}

/** Go's JSON decoding treats null as absent. */
const opt = <T extends z.ZodType>(s: T) => s.nullish();

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const PORT_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY = /^[+]?(\d+(\.\d*)?|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;
const INT32_MAX = 2_147_483_647;

const dnsLabel = z
  .string()
  .max(63)
  .regex(DNS_LABEL, 'must be a DNS label: lowercase letters, digits and "-", starting and ending with a letter or digit, e.g. etcd');
const dnsSubdomain = z.string().max(253).regex(DNS_SUBDOMAIN, 'must be a DNS subdomain: lowercase letters, digits, "-" and ".", e.g. kube-apiserver');
const qualifiedName = z.string().refine((k) => {
  const slash = k.lastIndexOf('/');
  const name = slash < 0 ? k : k.slice(slash + 1);
  const prefix = slash < 0 ? null : k.slice(0, slash);
  return name.length <= 63 && QUALIFIED_NAME.test(name) && (prefix === null || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix)));
}, 'is not a valid key: an optional DNS prefix and "/", then up to 63 letters, digits, "-", "_" or ".", e.g. tier or kubeadm.kubernetes.io/etcd.advertise-client-urls');
const labelValue = z.string().max(63).regex(LABEL_VALUE, 'must be up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit');
const int32 = z.int().max(INT32_MAX);
const nonNegative = int32.min(0);
const portNumber = z.int().min(1).max(65535);
const portName = z.string().max(15).regex(PORT_NAME, 'must be a port name: up to 15 lowercase letters, digits and "-", with a letter, e.g. https');
const portOrName = z.union([portNumber, portName], {
  error: (iss) => (iss.input === undefined || iss.input === null ? undefined : 'must be a port number (1-65535) or a port name like "https"'),
});
const QUANTITY_HINT = 'must be a quantity like 100m, 250Mi or 2';
const quantity = z.union([z.number().min(0, 'must not be negative'), z.string().regex(QUANTITY, QUANTITY_HINT)], {
  error: (iss) => (iss.input === undefined || iss.input === null ? undefined : QUANTITY_HINT),
});
const strings = z.array(z.string());
const absolutePath = z
  .string()
  .min(1)
  .refine((p) => p.startsWith('/'), 'must be an absolute path on the node, like /etc/kubernetes/pki')
  .refine((p) => !p.split('/').includes('..'), "must not contain '..'");
const relativeSubPath = z
  .string()
  .refine((p) => !p.startsWith('/'), 'must be relative to the volume')
  .refine((p) => !p.split('/').includes('..'), "must not contain '..'");

const seccompProfile = z.looseObject({ type: z.enum(['RuntimeDefault', 'Unconfined', 'Localhost']), localhostProfile: opt(z.string()) });

const httpGet = z.looseObject({
  path: opt(z.string()),
  port: portOrName,
  host: opt(z.string()),
  scheme: opt(z.enum(['HTTP', 'HTTPS'])),
  httpHeaders: opt(z.array(z.looseObject({ name: z.string().min(1), value: z.string() }))),
});
const tcpSocket = z.looseObject({ port: portOrName, host: opt(z.string()) });
const exec = z.looseObject({ command: opt(strings) });

const probe = z.looseObject({
  exec: opt(exec),
  httpGet: opt(httpGet),
  tcpSocket: opt(tcpSocket),
  grpc: opt(z.looseObject({ port: portNumber, service: opt(z.string()) })),
  initialDelaySeconds: opt(nonNegative),
  timeoutSeconds: opt(nonNegative),
  periodSeconds: opt(nonNegative),
  successThreshold: opt(nonNegative),
  failureThreshold: opt(nonNegative),
  terminationGracePeriodSeconds: opt(int32.min(1)),
});

const lifecycleHandler = z.looseObject({
  exec: opt(exec),
  httpGet: opt(httpGet),
  tcpSocket: opt(tcpSocket),
  sleep: opt(z.looseObject({ seconds: z.int().min(0) })),
});

const container = z.looseObject({
  name: dnsLabel,
  image: z
    .string()
    .min(1)
    .refine((s) => s === s.trim(), 'must not start or end with a space'),
  command: opt(strings),
  args: opt(strings),
  workingDir: opt(z.string()),
  env: opt(
    z.array(
      z.looseObject({
        name: z
          .string()
          .min(1)
          .regex(/^[\x20-\x3c\x3e-\x7e]+$/, 'must be printable ASCII without "="'),
        value: opt(z.string()),
        valueFrom: opt(z.looseObject({})),
      }),
    ),
  ),
  envFrom: opt(z.array(z.looseObject({}))),
  ports: opt(
    z.array(
      z.looseObject({
        name: opt(portName),
        containerPort: portNumber,
        hostPort: opt(z.int().min(0).max(65535)),
        hostIP: opt(z.string()),
        protocol: opt(z.enum(['TCP', 'UDP', 'SCTP'])),
      }),
    ),
  ),
  resources: opt(z.looseObject({ requests: opt(z.record(z.string(), quantity)), limits: opt(z.record(z.string(), quantity)) })),
  volumeMounts: opt(
    z.array(
      z.looseObject({
        name: z.string().min(1),
        mountPath: z.string().min(1),
        readOnly: opt(z.boolean()),
        subPath: opt(relativeSubPath),
        subPathExpr: opt(z.string()),
        mountPropagation: opt(z.enum(['None', 'HostToContainer', 'Bidirectional'])),
      }),
    ),
  ),
  livenessProbe: opt(probe),
  readinessProbe: opt(probe),
  startupProbe: opt(probe),
  lifecycle: opt(z.looseObject({ postStart: opt(lifecycleHandler), preStop: opt(lifecycleHandler) })),
  imagePullPolicy: opt(z.enum(['Always', 'IfNotPresent', 'Never'])),
  restartPolicy: opt(z.enum(['Always', 'OnFailure', 'Never'])),
  securityContext: opt(
    z.looseObject({
      privileged: opt(z.boolean()),
      runAsUser: opt(z.int().min(0)),
      runAsGroup: opt(z.int().min(0)),
      runAsNonRoot: opt(z.boolean()),
      readOnlyRootFilesystem: opt(z.boolean()),
      allowPrivilegeEscalation: opt(z.boolean()),
      capabilities: opt(z.looseObject({ add: opt(strings), drop: opt(strings) })),
      seccompProfile: opt(seccompProfile),
    }),
  ),
  terminationMessagePath: opt(z.string()),
  terminationMessagePolicy: opt(z.enum(['File', 'FallbackToLogsOnError'])),
  stdin: opt(z.boolean()),
  stdinOnce: opt(z.boolean()),
  tty: opt(z.boolean()),
});

const volume = z.looseObject({
  name: dnsLabel,
  hostPath: opt(
    z.looseObject({
      path: absolutePath,
      type: opt(z.enum(['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'])),
    }),
  ),
  emptyDir: opt(z.looseObject({ medium: opt(z.string()), sizeLimit: opt(quantity) })),
});

const podSchema = z.looseObject({
  metadata: z.looseObject({
    name: dnsSubdomain,
    namespace: opt(dnsLabel),
    labels: opt(z.record(qualifiedName, labelValue)),
    annotations: opt(z.record(qualifiedName, z.string())),
  }),
  spec: z.looseObject({
    containers: z.array(container).min(1),
    initContainers: opt(z.array(container)),
    volumes: opt(z.array(volume)),
    hostNetwork: opt(z.boolean()),
    hostPID: opt(z.boolean()),
    hostIPC: opt(z.boolean()),
    shareProcessNamespace: opt(z.boolean()),
    priorityClassName: opt(z.string()),
    priority: opt(int32.min(-INT32_MAX - 1)),
    restartPolicy: opt(z.enum(['Always', 'OnFailure', 'Never'])),
    terminationGracePeriodSeconds: opt(z.int().min(0)),
    activeDeadlineSeconds: opt(z.int().min(1)),
    dnsPolicy: opt(z.enum(['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'])),
    nodeName: opt(z.string()),
    nodeSelector: opt(z.record(z.string(), z.string())),
    hostname: opt(dnsLabel),
    subdomain: opt(dnsLabel),
    automountServiceAccountToken: opt(z.boolean()),
    securityContext: opt(
      z.looseObject({
        runAsUser: opt(z.int().min(0)),
        runAsGroup: opt(z.int().min(0)),
        runAsNonRoot: opt(z.boolean()),
        fsGroup: opt(z.int().min(0)),
        supplementalGroups: opt(z.array(z.int().min(0))),
        seccompProfile: opt(seccompProfile),
        sysctls: opt(z.array(z.looseObject({ name: z.string().min(1), value: z.string() }))),
      }),
    ),
    tolerations: opt(
      z.array(
        z.looseObject({
          key: opt(z.string()),
          operator: opt(z.enum(['Exists', 'Equal'])),
          value: opt(z.string()),
          effect: opt(z.enum(['', 'NoSchedule', 'PreferNoSchedule', 'NoExecute'])),
          tolerationSeconds: opt(z.int()),
        }),
      ),
    ),
  }),
});

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

/** Zod's issues in words an operator reads; the schema's own messages take precedence. */
function issueText(iss: z.core.$ZodRawIssue, placing: Placing): string {
  const input: unknown = iss.input;
  switch (iss.code) {
    case 'invalid_type': {
      if (input === undefined || input === null) return 'is required';
      const expected = TYPE_WORDS[iss.expected] ?? iss.expected;
      if (iss.expected === 'int' && typeof input === 'number') return `must be a whole number, not ${input}`;
      if (iss.expected === 'string' && (typeof input === 'number' || typeof input === 'boolean')) {
        const source = placing.sourceOf(iss.path ?? []) ?? String(input);
        return `must be a string, not ${describeValue(input)}: quote it, like "${source.replace(/^["']|["']$/g, '')}"`;
      }
      return `must be ${expected}, not ${describeValue(input)}`;
    }
    case 'too_small': {
      const min = Number(iss.minimum);
      if (iss.origin === 'array') return `needs at least ${min} item${min === 1 ? '' : 's'}`;
      if (iss.origin === 'string') return min === 1 ? 'must not be empty' : `must be at least ${min} characters`;
      return iss.inclusive ? `must be at least ${min}, not ${String(input)}` : `must be more than ${min}, not ${String(input)}`;
    }
    case 'too_big': {
      const max = Number(iss.maximum);
      if (iss.origin === 'array') return `may have at most ${max} items`;
      if (iss.origin === 'string') return `must be at most ${max} characters long`;
      return `must be at most ${max}, not ${String(input)}`;
    }
    case 'invalid_value':
      return `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}, not ${describeValue(input)}`;
    case 'invalid_format':
      return 'is not in the expected format';
    case 'invalid_key':
      return `has an invalid key ${describeValue(input)}`;
    default:
      return 'is not valid';
  }
}

function checkSchema(value: unknown, placing: Placing): Problem[] {
  const result = podSchema.safeParse(value, { error: (iss) => issueText(iss, placing) });
  if (result.success) return [];
  return result.error.issues.slice(0, 4 * MAX_PROBLEMS).map((iss) => {
    // A record's key: the key schema's own message says what is wrong with it.
    if (iss.code === 'invalid_key') return at(placing, iss.path, iss.issues[0]?.message ?? iss.message);
    return at(placing, iss.path, iss.message);
  });
}

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
const PROBE_KINDS = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
/** The volume sources of core/v1 VolumeSource; a volume has exactly one. */
const VOLUME_SOURCES = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
] as const;
/** Sources that name API objects: the mirror pod would be refused. */
const API_OBJECT_SOURCES: Record<string, string> = {
  secret: 'a secret',
  configMap: 'a config map',
  persistentVolumeClaim: 'a persistent volume claim',
  projected: 'a projected volume (service account token, secrets, config maps)',
  ephemeral: 'a generic ephemeral volume (a persistent volume claim)',
};
const STATIC_POD_HINT = 'a static pod cannot refer to API objects (kubelet runs it, but the API server refuses its mirror pod)';

function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

function nonEmptyList(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? (v as unknown[]) : [];
}

/** The rules across fields and the static-pod rules; runs on whatever shape the value has, so it reports beside type errors. */
function checkStaticPod(value: unknown, placing: Placing): Problem[] {
  const out: Problem[] = [];
  const spec = isRecord(value) ? value.spec : undefined;
  if (!isRecord(spec)) return out;

  for (const key of ['serviceAccountName', 'serviceAccount'] as const) {
    if (typeof spec[key] === 'string' && spec[key] !== '') {
      out.push(at(placing, ['spec', key], `${STATIC_POD_HINT}: remove the service account; give the pod credentials as files through a hostPath volume`));
    }
  }
  if (nonEmptyList(spec.imagePullSecrets)) {
    out.push(
      at(
        placing,
        ['spec', 'imagePullSecrets'],
        `${STATIC_POD_HINT}: remove imagePullSecrets; put registry credentials in the container runtime's config on the node`,
      ),
    );
  }
  if (nonEmptyList(spec.ephemeralContainers)) {
    out.push(
      at(
        placing,
        ['spec', 'ephemeralContainers'],
        'a static pod cannot have ephemeral containers: remove them (kubectl debug works on the running mirror pod instead)',
      ),
    );
  }
  if (nonEmptyList(spec.resourceClaims)) {
    out.push(at(placing, ['spec', 'resourceClaims'], `${STATIC_POD_HINT}: remove the resource claims`));
  }

  const volumeNames = new Map<string, number>();
  list(spec.volumes).forEach((vol, i) => {
    if (!isRecord(vol)) return;
    const path = ['spec', 'volumes', i];
    if (typeof vol.name === 'string') {
      const first = volumeNames.get(vol.name);
      if (first !== undefined)
        out.push(at(placing, [...path, 'name'], `volume name ${quote(vol.name)} is also used by spec.volumes[${first}]: names must be unique`));
      else volumeNames.set(vol.name, i);
    }
    const sources = VOLUME_SOURCES.filter((s) => present(vol[s]));
    if (sources.length > 1) {
      out.push(at(placing, path, `has ${sources.length} sources (${sources.join(', ')}): a volume takes exactly one`));
    }
    for (const s of sources) {
      const what = API_OBJECT_SOURCES[s];
      if (what) out.push(at(placing, [...path, s], `is ${what}; ${STATIC_POD_HINT}: use a hostPath volume with the files on the node`));
    }
  });

  const containerNames = new Map<string, string>();
  for (const group of ['initContainers', 'containers'] as const) {
    list(spec[group]).forEach((ctr, i) => {
      if (!isRecord(ctr)) return;
      const path = ['spec', group, i];
      if (typeof ctr.name === 'string') {
        const first = containerNames.get(ctr.name);
        if (first !== undefined)
          out.push(at(placing, [...path, 'name'], `container name ${quote(ctr.name)} is also used by ${first}: names must be unique in the pod`));
        else containerNames.set(ctr.name, `spec.${group}[${i}]`);
      }
      checkContainer(ctr, path, group === 'initContainers', spec.hostNetwork === true, volumeNames, placing, out);
    });
  }
  return out;
}

function checkContainer(
  ctr: Record<string, unknown>,
  path: readonly PropertyKey[],
  init: boolean,
  hostNetwork: boolean,
  volumeNames: ReadonlyMap<string, number>,
  placing: Placing,
  out: Problem[],
): void {
  if (nonEmptyList(ctr.envFrom)) {
    out.push(at(placing, [...path, 'envFrom'], `${STATIC_POD_HINT}: write the variables out under env`));
  }
  list(ctr.env).forEach((env, j) => {
    const from = isRecord(env) ? env.valueFrom : undefined;
    if (!isRecord(from)) return;
    for (const ref of ['secretKeyRef', 'configMapKeyRef'] as const) {
      if (present(from[ref]))
        out.push(at(placing, [...path, 'env', j, 'valueFrom', ref], `${STATIC_POD_HINT}: give the value inline, or as a file through a hostPath volume`));
    }
  });

  const sidecar = ctr.restartPolicy === 'Always';
  for (const kind of PROBE_KINDS) {
    const p = ctr[kind];
    if (!isRecord(p)) continue;
    const probePath = [...path, kind];
    if (init && !sidecar) {
      out.push(at(placing, probePath, 'an init container cannot have probes unless it is a sidecar (restartPolicy: Always): remove the probe'));
    }
    const handlers = PROBE_HANDLERS.filter((h) => present(p[h]));
    if (handlers.length === 0) {
      out.push(at(placing, probePath, `has no handler: give exactly one of ${PROBE_HANDLERS.join(', ')}`));
    } else if (handlers.length > 1) {
      out.push(at(placing, probePath, `has ${handlers.length} handlers (${handlers.join(', ')}): a probe takes exactly one of ${PROBE_HANDLERS.join(', ')}`));
    }
    const success = p.successThreshold;
    if (kind !== 'readinessProbe' && typeof success === 'number' && success !== 0 && success !== 1) {
      out.push(at(placing, [...probePath, 'successThreshold'], `must be 1 for a ${kind === 'livenessProbe' ? 'liveness' : 'startup'} probe, not ${success}`));
    }
    if (kind === 'readinessProbe' && present(p.terminationGracePeriodSeconds)) {
      out.push(at(placing, [...probePath, 'terminationGracePeriodSeconds'], 'is not allowed on a readiness probe: remove it'));
    }
  }

  const mountPaths = new Set<string>();
  list(ctr.volumeMounts).forEach((m, j) => {
    if (!isRecord(m)) return;
    if (typeof m.name === 'string' && m.name !== '' && !volumeNames.has(m.name)) {
      const declared = [...volumeNames.keys()].slice(0, 10).map(quote);
      out.push(
        at(
          placing,
          [...path, 'volumeMounts', j, 'name'],
          `${quote(m.name)} matches no volume in spec.volumes (${declared.length > 0 ? `declared: ${declared.join(', ')}` : 'none declared'}): declare it or fix the name`,
        ),
      );
    }
    if (typeof m.mountPath === 'string' && m.mountPath !== '') {
      if (mountPaths.has(m.mountPath))
        out.push(at(placing, [...path, 'volumeMounts', j, 'mountPath'], `${quote(m.mountPath)} is mounted twice in this container`));
      mountPaths.add(m.mountPath);
    }
  });

  const portNames = new Set<string>();
  list(ctr.ports).forEach((port, j) => {
    if (!isRecord(port)) return;
    if (typeof port.name === 'string' && port.name !== '') {
      if (portNames.has(port.name)) out.push(at(placing, [...path, 'ports', j, 'name'], `port name ${quote(port.name)} is used twice in this container`));
      portNames.add(port.name);
    }
    const { hostPort, containerPort } = port;
    if (hostNetwork && typeof hostPort === 'number' && hostPort !== 0 && typeof containerPort === 'number' && hostPort !== containerPort) {
      out.push(at(placing, [...path, 'ports', j, 'hostPort'], `is ${hostPort} but containerPort is ${containerPort}: with hostNetwork they must be equal`));
    }
  });
}

// ---------------------------------------------------------------------------
// Inventory

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function texts(v: unknown): string[] {
  return list(v)
    .filter((x): x is string | number | boolean => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')
    .map((x) => String(x));
}

/** What can be read of the pod, best effort: also for invalid manifests. */
function readInventory(value: unknown): Pick<ParsedManifest, 'podName' | 'namespace' | 'containers' | 'hostPaths'> {
  const pod = isRecord(value) ? value : {};
  const metadata = isRecord(pod.metadata) ? pod.metadata : {};
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const ns = metadata.namespace;
  const namespace = typeof ns === 'string' && ns !== '' ? ns : isRecord(value) && (ns === undefined || ns === null || ns === '') ? 'default' : '';
  const containers = list(spec.containers)
    .filter(isRecord)
    .map((c) => ({
      name: str(c.name),
      image: str(c.image),
      command: texts(c.command),
      args: texts(c.args),
      probes: PROBE_KINDS.filter((k) => isRecord(c[k])).map((k) => describeProbe(k, c[k] as Record<string, unknown>)),
    }));
  const hostPaths = list(spec.volumes)
    .filter(isRecord)
    .filter((v) => isRecord(v.hostPath))
    .map((v) => ({ name: str(v.name), path: str((v.hostPath as Record<string, unknown>).path) }));
  return { podName: str(metadata.name), namespace, containers, hostPaths };
}

function seconds(v: unknown, fallback: number): number {
  // Zero and absent are the defaults after defaulting (SetDefaults_Probe).
  return typeof v === 'number' && v !== 0 ? v : fallback;
}

/** One line, e.g. "liveness: httpGet http://127.0.0.1:2381/health every 10s timeout 15s failure 8 delay 10s". */
function describeProbe(kind: (typeof PROBE_KINDS)[number], p: Record<string, unknown>): string {
  const name = kind.replace(/Probe$/, '');
  const handlers = PROBE_HANDLERS.filter((h) => present(p[h]));
  let handler: string;
  if (handlers.length !== 1) {
    handler = handlers.length === 0 ? 'no handler' : `${handlers.length} handlers (${handlers.join(', ')})`;
  } else {
    const h = handlers[0] ?? 'exec';
    const body = isRecord(p[h]) ? p[h] : {};
    const host = typeof body.host === 'string' && body.host !== '' ? body.host : '<pod IP>';
    const port = typeof body.port === 'number' || typeof body.port === 'string' ? String(body.port) : '?';
    if (h === 'httpGet') {
      const scheme = body.scheme === 'HTTPS' ? 'https' : 'http';
      const path = typeof body.path === 'string' && body.path !== '' ? (body.path.startsWith('/') ? body.path : `/${body.path}`) : '/';
      handler = `httpGet ${scheme}://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}${path}`;
    } else if (h === 'tcpSocket') {
      handler = `tcpSocket ${host}:${port}`;
    } else if (h === 'grpc') {
      handler = `grpc <pod IP>:${port}${typeof body.service === 'string' && body.service !== '' ? ` service ${body.service}` : ''}`;
    } else {
      handler = `exec [${texts(body.command).join(' ')}]`;
    }
  }
  let line = `${name}: ${handler} every ${seconds(p.periodSeconds, 10)}s timeout ${seconds(p.timeoutSeconds, 1)}s failure ${seconds(p.failureThreshold, 3)}`;
  const success = seconds(p.successThreshold, 1);
  if (success !== 1) line += ` success ${success}`;
  const delay = seconds(p.initialDelaySeconds, 0);
  if (delay !== 0) line += ` delay ${delay}s`;
  return line;
}
