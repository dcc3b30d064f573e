import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inNamespace, netnsPlan, setupCommands, teardownCommands } from '../../../coordinator/dev/netns-plan.js';

test('each master gets a namespace, a host veth and an address on subnet N; the host is .254', () => {
  const p = netnsPlan(7, ['m1', 'm2']);
  assert.equal(p.bridge, 'belay7');
  assert.equal(p.hostAddress, '10.77.7.254');
  assert.deepEqual(p.masters, [
    { master: 'm1', name: 'belay7-m1', hostVeth: 'bl7m1', address: '10.77.7.1' },
    { master: 'm2', name: 'belay7-m2', hostVeth: 'bl7m2', address: '10.77.7.2' },
  ]);
});

test('a subnet outside 1..250 is refused', () => {
  assert.throws(() => netnsPlan(0, ['m1']), /from 1 to 250/);
  assert.throws(() => netnsPlan(251, ['m1']), /from 1 to 250/);
  assert.throws(() => netnsPlan(1.5, ['m1']), /whole number/);
});

test('interface names fit in 15 characters at the largest subnet and master count', () => {
  const p = netnsPlan(250, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
  for (const n of [p.bridge, ...p.masters.map((m) => m.hostVeth)]) assert.ok(n.length <= 15, n);
});

test('setup brings up the bridge, then per master its namespace, veth, address and loopback, then the host rule', () => {
  const cmds = setupCommands(netnsPlan(3, ['m1'])).map((c) => `${c.file} ${c.args.join(' ')}`);
  assert.deepEqual(cmds, [
    'ip addr add 10.77.3.254/24 dev belay3',
    'ip link set belay3 up',
    'ip netns add belay3-m1',
    'ip link add bl3m1 type veth peer name eth0 netns belay3-m1',
    'ip link set bl3m1 master belay3',
    'ip link set bl3m1 up',
    'ip netns exec belay3-m1 ip addr add 10.77.3.1/24 dev eth0',
    'ip netns exec belay3-m1 ip link set eth0 up',
    'ip netns exec belay3-m1 ip link set lo up',
    'iptables -I FORWARD -i belay3 -o belay3 -j ACCEPT',
  ]);
});

test('teardown removes the host rule, every veth and namespace, then the bridge', () => {
  const cmds = teardownCommands(netnsPlan(3, ['m1'])).map((c) => `${c.file} ${c.args.join(' ')}`);
  assert.deepEqual(cmds, ['iptables -D FORWARD -i belay3 -o belay3 -j ACCEPT', 'ip link del bl3m1', 'ip netns del belay3-m1', 'ip link del belay3']);
});

test('a daemon in a namespace runs through ip netns exec, its arguments unchanged', () => {
  assert.deepEqual(inNamespace('belay3-m1', '/usr/bin/node', ['a', '--b']), { file: 'ip', args: ['netns', 'exec', 'belay3-m1', '/usr/bin/node', 'a', '--b'] });
});
