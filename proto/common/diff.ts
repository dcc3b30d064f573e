/**
 * A unified diff (3 lines of context, like diff -u) of two texts, for people:
 * drift reports and `belayctl manifests diff`. Pure.
 */

/** Output longer than this is cut with a "... N more" line. */
const MAX_DIFF_LINES = 200;
/** Past this many LCS cells the changed middle is shown as removed then added. */
const MAX_LCS_CELLS = 4_000_000;
/**
 * A unified diff from `a` to `b` (3 lines of context) under `--- aLabel` /
 * `+++ bLabel` headers, at most `maxLines` lines in all; '' when the two are
 * the same.
 */
export function unifiedDiff(a: Buffer | string, b: Buffer | string, aLabel: string, bLabel: string, maxLines = MAX_DIFF_LINES): string {
  const hunks = diffHunks(splitLines(a), splitLines(b), Math.max(1, maxLines - 2));
  if (hunks.length === 0) return '';
  return [`--- ${aLabel}`, `+++ ${bLabel}`, ...hunks].join('\n') + '\n';
}

/** Lines without their '\n'; a last line without one is marked the way diff(1) does, so it differs from the same line with one. */
function splitLines(content: Buffer | string): string[] {
  const text = typeof content === 'string' ? content : content.toString('utf8');
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += '\n\\ No newline at end of file';
  return lines;
}

type Op = { t: ' ' | '-' | '+'; line: string };

/**
 * The hunks of a unified diff (3 lines of context) from `a` to `b`, at most
 * `maxLines` lines. Line LCS after trimming the common ends; past
 * MAX_LCS_CELLS the changed middle is shown as all removed, then all added.
 */
function diffHunks(a: string[], b: string[], maxLines: number): string[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);

  const ops: Op[] = a.slice(0, pre).map((line) => ({ t: ' ', line }));
  ops.push(...middleOps(am, bm));
  ops.push(...a.slice(a.length - suf).map((line): Op => ({ t: ' ', line })));

  const context = 3;
  const changes: number[] = [];
  ops.forEach((op, i) => {
    if (op.t !== ' ') changes.push(i);
  });
  const out: string[] = [];
  let i = 0;
  while (i < changes.length) {
    let j = i;
    while (j + 1 < changes.length && (changes[j + 1] ?? 0) - (changes[j] ?? 0) <= 2 * context) j++;
    const start = Math.max(0, (changes[i] ?? 0) - context);
    const end = Math.min(ops.length, (changes[j] ?? 0) + context + 1);
    let aBefore = 0;
    let bBefore = 0;
    for (const op of ops.slice(0, start)) {
      if (op.t !== '+') aBefore++;
      if (op.t !== '-') bBefore++;
    }
    const hunk = ops.slice(start, end);
    const aLen = hunk.filter((op) => op.t !== '+').length;
    const bLen = hunk.filter((op) => op.t !== '-').length;
    out.push(`@@ -${aLen === 0 ? aBefore : aBefore + 1},${aLen} +${bLen === 0 ? bBefore : bBefore + 1},${bLen} @@`);
    for (const op of hunk) out.push(op.t + op.line);
    i = j + 1;
  }
  if (out.length > maxLines) {
    const more = out.length - (maxLines - 1);
    return [...out.slice(0, maxLines - 1), `... ${more} more diff lines not shown`];
  }
  return out;
}

function middleOps(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0 || n * m > MAX_LCS_CELLS) {
    return [...a.map((line): Op => ({ t: '-', line })), ...b.map((line): Op => ({ t: '+', line }))];
  }
  // lcs[i*(m+1)+j] = LCS length of a[i..] and b[j..]; min(n, m) <= 2000 here, so 16 bits suffice.
  const w = m + 1;
  const lcs = new Uint16Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = a[i] === b[j] ? (lcs[(i + 1) * w + j + 1] ?? 0) + 1 : Math.max(lcs[(i + 1) * w + j] ?? 0, lcs[i * w + j + 1] ?? 0);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ t: ' ', line: a[i] ?? '' });
      i++;
      j++;
    } else if ((lcs[(i + 1) * w + j] ?? 0) >= (lcs[i * w + j + 1] ?? 0)) {
      ops.push({ t: '-', line: a[i] ?? '' });
      i++;
    } else {
      ops.push({ t: '+', line: b[j] ?? '' });
      j++;
    }
  }
  for (; i < n; i++) ops.push({ t: '-', line: a[i] ?? '' });
  for (; j < m; j++) ops.push({ t: '+', line: b[j] ?? '' });
  return ops;
}
