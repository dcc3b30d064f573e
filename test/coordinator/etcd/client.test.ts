import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ETCD_ERRORS, EtcdError, etcdErrorCode, translateEtcdError, type EtcdErrorCode } from '../../../coordinator/etcd/client.js';

/** An error as etcd3 hands it over: grpc's status code and name, then etcd's description. */
const grpcError = (status: string, description: string): Error => new Error(`${status}: ${description}`);

const cases: [EtcdErrorCode, string][] = [
  ['UNHEALTHY_CLUSTER', '14 UNAVAILABLE'],
  ['LEARNER_NOT_READY', '9 FAILED_PRECONDITION'],
  ['MEMBER_NOT_LEARNER', '9 FAILED_PRECONDITION'],
  ['TOO_MANY_LEARNERS', '9 FAILED_PRECONDITION'],
  ['NOT_SUPPORTED_FOR_LEARNER', '14 UNAVAILABLE'],
  ['MEMBER_NOT_FOUND', '5 NOT_FOUND'],
  ['MEMBER_EXISTS', '9 FAILED_PRECONDITION'],
  ['PEER_URL_EXISTS', '9 FAILED_PRECONDITION'],
  ['NOT_ENOUGH_STARTED_MEMBERS', '9 FAILED_PRECONDITION'],
  ['BAD_PEER_URLS', '3 INVALID_ARGUMENT'],
  ['BAD_LEADER_TRANSFEREE', '9 FAILED_PRECONDITION'],
];

test('every code of the table is tested', () => {
  assert.deepEqual(cases.map(([c]) => c).sort(), Object.keys(ETCD_ERRORS).sort());
});

for (const [code, status] of cases) {
  test(`etcd's "${ETCD_ERRORS[code]}" is ${code}`, () => {
    assert.equal(etcdErrorCode(grpcError(status, ETCD_ERRORS[code])), code);
  });
}

test('a promote refused as not in sync is LEARNER_NOT_READY, not the shorter MEMBER_NOT_LEARNER it starts with', () => {
  assert.equal(
    etcdErrorCode(new Error('9 FAILED_PRECONDITION: etcdserver: can only promote a learner member which is in sync with leader')),
    'LEARNER_NOT_READY',
  );
  assert.equal(etcdErrorCode(new Error('9 FAILED_PRECONDITION: etcdserver: can only promote a learner member')), 'MEMBER_NOT_LEARNER');
});

test('an error etcd did not send, or one belay does not act on, has no code', () => {
  assert.equal(etcdErrorCode(new Error('14 UNAVAILABLE: No connection established')), undefined);
  assert.equal(etcdErrorCode(new Error('9 FAILED_PRECONDITION: etcdserver: not leader')), undefined);
  assert.equal(etcdErrorCode('member not found'), undefined);
});

test("translated: an EtcdError with the code, etcd's message as it came and the original as its cause", () => {
  const original = grpcError('14 UNAVAILABLE', 'etcdserver: unhealthy cluster');
  const err = translateEtcdError(original);
  assert.ok(err instanceof EtcdError);
  assert.equal(err.code, 'UNHEALTHY_CLUSTER');
  assert.equal(err.message, '14 UNAVAILABLE: etcdserver: unhealthy cluster');
  assert.equal(err.cause, original);
  assert.equal(etcdErrorCode(err), 'UNHEALTHY_CLUSTER');
});

test('an error outside the table is passed on as it is', () => {
  const original = new Error('4 DEADLINE_EXCEEDED: Deadline exceeded');
  assert.equal(translateEtcdError(original), original);
});
