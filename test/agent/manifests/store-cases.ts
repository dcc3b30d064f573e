import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { ManifestStore, type StoreOptions } from '../../../agent/manifests/store.js';
import { OperatorError } from '../../../proto/common/errors.js';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-store-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

let seq = 0;
/** A fresh <root>/etc/kubernetes/manifests and <root>/var/lib/belay/manifests, and a store on them with a 1 ms-per-call clock. */
export function setup(o: Partial<StoreOptions> = {}): { root: string; dir: string; hist: string; store: ManifestStore; p: (f: string) => string } {
  const root = path.join(tmpRoot, `case-${++seq}`);
  const dir = path.join(root, 'etc/kubernetes/manifests');
  const hist = path.join(root, 'var/lib/belay/manifests');
  fs.mkdirSync(dir, { recursive: true });
  let now = 1_700_000_000_000;
  const store = new ManifestStore({ manifestsDir: dir, historyDir: hist, nowMs: () => ++now, ...o });
  return { root, dir, hist, store, p: (f) => path.join(dir, f) };
}

export const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

export function pod(name: string, extra = ''): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: kube-system\nspec:\n  hostNetwork: true\n  containers:\n  - name: ${name}\n    image: registry.k8s.io/${name}:v1.31.0\n${extra}`;
}

/** Every entry under `root` with its type, mode, size, mtime and content hash. */
export function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d)) {
      const p = path.join(d, name);
      const st = fs.lstatSync(p);
      const rel = path.relative(root, p);
      if (st.isDirectory()) {
        out[rel] = `dir ${st.mode.toString(8)} ${st.mtimeMs}`;
        walk(p);
      } else {
        out[rel] = `file ${st.mode.toString(8)} ${st.size} ${st.mtimeMs} ${sha(fs.readFileSync(p))}`;
      }
    }
  };
  walk(root);
  return out;
}

export function isOperatorError(code: string, check?: (e: OperatorError) => void): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof OperatorError, `expected OperatorError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    check?.(err);
    return true;
  };
}

export function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.startsWith('.'));
}
