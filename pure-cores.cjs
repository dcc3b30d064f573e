// The pure cores: the files where belay decides (plans, policies, renderers,
// validation). They take time, randomness and the world's state as input and
// return decisions; the I/O shells around them observe and act. Two checks
// read this one list (globs, relative to the repository root):
//   eslint.config.js        no Date.now, Math.random or setTimeout in them;
//   .dependency-cruiser.cjs no I/O module and no I/O file of belay imported.
module.exports = [
  'coordinator/swim/**',
  'coordinator/render/**',
  '**/policy.ts',
  '**/plan.ts',
  '**/join-plan.ts',
  'proto/common/backoff.ts',
  'proto/common/diff.ts',
  'proto/common/closest.ts',
  'coordinator/cluster/etcd-keys.ts',
  'proto/common/errors.ts',
  'proto/common/rng.ts',
  'coordinator/reports/store.ts',
  'coordinator/reports/events.ts',
  'agent/manifests/parse.ts',
  'coordinator/etcd/render.ts',
  'coordinator/etcd/preflight.ts',
  'coordinator/controlplane/render.ts',
  'coordinator/kube/flags.ts',
  'coordinator/kube/flag-names.ts',
  'coordinator/balancer/haproxy-config.ts',
  'coordinator/balancer/haproxy-manifest.ts',
  'coordinator/controlplane/rollout-plan.ts',
  'coordinator/controlplane/deploy-plan.ts',
  'coordinator/etcd/removal.ts',
  'coordinator/cluster/spec-change.ts',
  'coordinator/cluster/defaults.ts',
  'coordinator/cluster/spec-fields.ts',
];
