import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCoordinatorConfig } from '../../coordinator/config.js';
import { ConfigError } from '../../proto/common/config-file.js';

test('a coordinator with no nodes list knows only its own master', () => {
  const c = parseCoordinatorConfig('c.yaml', { node: { name: 'm1', address: '127.0.1.1' } });
  assert.deepEqual(c.nodes, [{ name: 'm1', address: '127.0.1.1' }]);
  assert.equal(c.listen, '127.0.1.1:7702');
  assert.equal(c.metricsListen, '127.0.1.1:7712');
});

test('the nodes list must hold this master once and no master twice', () => {
  const input = {
    node: { name: 'm1', address: '127.0.1.1' },
    nodes: [
      { name: 'm2', address: '127.0.1.2' },
      { name: 'm2', address: '127.0.1.3' },
    ],
  };
  assert.throws(
    () => parseCoordinatorConfig('c.yaml', input),
    (e: Error) =>
      e instanceof ConfigError &&
      e.problems.some((p) => p.startsWith('nodes.1.name: got "m2": master m2 is listed twice')) &&
      e.problems.some((p) => p.includes('must include this master (m1)')),
  );
});
