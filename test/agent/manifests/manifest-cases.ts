import assert from 'node:assert/strict';
import type { ParsedManifest } from '../../../agent/manifests/parse.js';

/** A minimal valid static pod; tests splice their case into it. */
export const POD = `apiVersion: v1
kind: Pod
metadata:
  name: probe-me
  namespace: kube-system
spec:
  hostNetwork: true
  containers:
  - name: main
    image: registry.k8s.io/pause:3.9
`;

export function problemsOf(r: ParsedManifest): string {
  return r.problems.map((p) => `${p.line}:${p.column} ${p.message}`).join('\n');
}

/** The one problem whose message matches, with its position. */
export function problem(r: ParsedManifest, re: RegExp): { line: number; column: number; message: string } {
  assert.equal(r.valid, false, 'expected an invalid manifest');
  const found = r.problems.filter((p) => re.test(p.message));
  assert.equal(found.length, 1, `expected one problem matching ${re}, got:\n${problemsOf(r)}`);
  return found[0] ?? { line: 0, column: 0, message: '' };
}

/** 1-based line of the first line of `text` containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} not in text`);
  return i + 1;
}
