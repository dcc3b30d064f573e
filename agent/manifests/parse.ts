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
 *
 * The parts: bounded-yaml.ts (YAML under limits), pod-schema.ts (the v1 Pod),
 * static-pod-rules.ts (rules across fields and for static pods),
 * pod-summary.ts (the inventory), problems.ts (placing and wording).
 */
import { isScalar } from 'yaml';
import type { ManifestProblem__Output as ManifestProblem } from '../../proto/gen/belay/v1/ManifestProblem.js';
import { MAX_ALIAS_EXPANSIONS, badKeys, composeBounded, isCyclic } from './bounded-yaml.js';
import { checkHeader, checkSchema } from './pod-schema.js';
import { summarizePod, type PodSummary } from './pod-summary.js';
import { LineIndex, MAX_PROBLEMS, NO_POSITION, Placing, codePoint, rangeStart, utf8ByteLength, type Problem } from './problems.js';
import { checkStaticPod } from './static-pod-rules.js';

export interface ParsedManifest extends PodSummary {
  /** Parsed and validated as a v1 Pod fit for a static pod. */
  valid: boolean;
  /** Why not, each at its 1-based line and column (0: no position); empty when valid. */
  problems: ManifestProblem[];
  /** The file's object (JSON-compatible), only when valid. */
  pod?: unknown;
}

export const MAX_MANIFEST_BYTES = 1024 * 1024;

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
  const inventory = header.length === 0 ? summarizePod(value) : {};
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

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').trim();
}
