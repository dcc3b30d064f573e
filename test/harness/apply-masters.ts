import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { belayctl } from './belayctl.js';
import type { TestCluster } from './cluster.js';

/** Applies the dev spec with the first `n` masters (and `etcd` changes). */
export async function applyMasters(c: TestCluster, n: number, etcd: Record<string, unknown> = {}): Promise<void> {
  const spec = YAML.parse(fs.readFileSync(path.join(c.dir, 'cluster.yaml'), 'utf8')) as { spec: { masters: unknown[]; etcd: Record<string, unknown> } };
  spec.spec.masters = c.state.masters.slice(0, n).map(({ name, address }) => ({ name, address }));
  spec.spec.etcd = { ...spec.spec.etcd, ...etcd };
  const file = path.join(c.dir, `cluster-${n}.yaml`);
  fs.writeFileSync(file, YAML.stringify(spec));
  const r = await belayctl(['apply', '-f', file], c.env);
  assert.equal(r.code, 0, r.stderr);
}
