// Which folder of belay may import which: the map of the tree, checked by
// `npm run lint` (dependency-cruiser, TypeScript resolved with tsconfig.json).
//
//   proto/belay/v1/   the gRPC contract; proto/gen/ its generated types
//   proto/common/     what both daemons share: logging, config loading, gRPC
//                     and TLS plumbing, metrics, host paths, backoff, errors
//   agent/            belay-agent, one per master: acts on its own host
//   coordinator/      belay-coordinator (gossip, the elected leader's loops)
//                     and belayctl (cli/); they reach an agent only over gRPC
//
//   agent ──► proto ◄── coordinator      (never agent ◄─► coordinator)
//
// Inside coordinator/ the folders form layers with no cycle between them
// (a folder uses only those below it): gossip uses transport, which uses
// swim; etcd, controlplane, pki and balancer use cluster (the spec and its
// store), kube (what Kubernetes' components accept) and render; agents is
// the typed client of every master's agent; leader (the campaign and the
// elected coordinator's controllers) uses all of those; rpc serves them;
// cli and dev drive them from outside.
//
// The pure cores (pure-cores.cjs) decide; the shells around them do I/O.
// A pure core imports no I/O module and no belay file that is not itself a
// pure core; types (`import type`) may come from anywhere, they vanish at run
// time.
//
// test/ and scripts/ are not checked: tests may import anything.
//
// Violations that exist and are being removed are listed in
// .dependency-cruiser-known-violations.json (`--ignore-known`); a new one
// fails lint. The list only shrinks: after fixing one, regenerate it and
// check that the diff only deletes:
//   npx depcruise agent coordinator proto --config .dependency-cruiser.cjs --output-type baseline > .dependency-cruiser-known-violations.json
const pureCores = require('./pure-cores.cjs');

/** The glob forms pure-cores.cjs uses, as regular expressions: 'dir/**', '**\/name.ts', 'dir/name.ts'. */
function globToRegex(glob) {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  if (escaped.startsWith('**/')) return `(^|/)${escaped.slice(3)}$`;
  if (escaped.endsWith('/**')) return `^${escaped.slice(0, -2)}`;
  return `^${escaped}$`;
}

const PURE_CORES = pureCores.map(globToRegex);

/** Packages that reach the world: gRPC, file watching, logging, host facts, etcd (Node's own modules are the 'core' ones). */
const IO_PACKAGES = '^node_modules/(@grpc/|chokidar/|winston/|systeminformation/|etcd3/)';

module.exports = {
  forbidden: [
    {
      name: 'agent-not-to-coordinator',
      comment: 'The agent is the same on every master and knows nothing of the leader: it learns what to do over gRPC (proto/).',
      severity: 'error',
      from: { path: '^agent/' },
      to: { path: '^coordinator/' },
    },
    {
      name: 'coordinator-not-to-agent',
      comment: 'The coordinator drives agents over gRPC (proto/), never by their code; what both need lives in proto/common/.',
      severity: 'error',
      from: { path: '^coordinator/' },
      to: { path: '^agent/' },
    },
    {
      name: 'proto-not-to-daemons',
      comment: 'proto/ (the contract and the shared code) is below both daemons and imports neither.',
      severity: 'error',
      from: { path: '^proto/' },
      to: { path: '^(agent|coordinator)/' },
    },
    {
      name: 'no-folder-cycles',
      comment: 'Folders form layers: a folder that imports another is never imported back by it, directly or around a loop.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'rpc-only-from-main',
      comment: "coordinator/rpc/ holds the gRPC servers' handlers, the top of the tree: only main.ts wires them. Clients of the agent live elsewhere.",
      severity: 'error',
      from: { path: '^coordinator/', pathNot: '^coordinator/(main\\.ts$|rpc/)' },
      to: { path: '^coordinator/rpc/' },
    },
    {
      name: 'etcd-below-controlplane',
      comment: 'The control plane runs on etcd: controlplane/ may use etcd/, never the other way round.',
      severity: 'error',
      from: { path: '^coordinator/etcd/' },
      to: { path: '^coordinator/controlplane/' },
    },
    {
      name: 'no-circular',
      comment: 'No file imports itself through others (types included): a cycle makes load order matter and hides a missing layer.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'pure-core-no-node-module',
      comment: "A pure core takes the clock, randomness and the world as input: it imports none of Node's modules (node:fs, node:net, timers, …).",
      severity: 'error',
      from: { path: PURE_CORES },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'pure-core-no-io-package',
      comment: 'Nor a package that does I/O.',
      severity: 'error',
      from: { path: PURE_CORES },
      to: { path: IO_PACKAGES },
    },
    {
      name: 'pure-core-only-pure-belay',
      comment: 'A pure core runs code only from other pure cores (add a pure helper to pure-cores.cjs); types may come from anywhere.',
      severity: 'error',
      from: { path: PURE_CORES },
      to: { path: '^(agent|coordinator|proto)/', pathNot: PURE_CORES, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    // Count `import type` too: a type import still ties one folder to another.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
  },
};
