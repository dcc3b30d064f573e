import { closest } from '../../proto/common/closest.js';
import { FLAG_NAMES, type ControlPlaneComponent } from './flag-names.js';

/**
 * Which command-line flags each control-plane component accepts, so that a
 * typo in spec extraArgs is refused when applied instead of crash-looping the
 * component on every master (kube-* exit on an unknown flag). The names are
 * the components' own, per minor version, in flag-names.ts.
 */

/**
 * Flags belay sets from the spec (render.ts): addresses, ports, etcd, TLS
 * files, leader election. extraArgs may not set them: a second value would
 * either be ignored or break what belay relies on (its etcd list, its probes'
 * address and port, the balancer's health checks).
 */
export const OWNED_FLAGS: Readonly<Record<ControlPlaneComponent, readonly string[]>> = {
  'kube-apiserver': [
    'advertise-address',
    'bind-address',
    'secure-port',
    'etcd-servers',
    'etcd-cafile',
    'etcd-certfile',
    'etcd-keyfile',
    'endpoint-reconciler-type',
    'service-cluster-ip-range',
    'client-ca-file',
    'tls-cert-file',
    'tls-private-key-file',
    'kubelet-client-certificate',
    'kubelet-client-key',
    'proxy-client-cert-file',
    'proxy-client-key-file',
    'requestheader-client-ca-file',
    'requestheader-allowed-names',
    'requestheader-extra-headers-prefix',
    'requestheader-group-headers',
    'requestheader-username-headers',
    'service-account-issuer',
    'service-account-key-file',
    'service-account-signing-key-file',
    // From spec.loadBalancer's health checks (render.ts).
    'shutdown-delay-duration',
  ],
  'kube-scheduler': ['bind-address', 'secure-port', 'kubeconfig', 'authentication-kubeconfig', 'authorization-kubeconfig', 'leader-elect'],
  'kube-controller-manager': [
    'bind-address',
    'secure-port',
    'kubeconfig',
    'authentication-kubeconfig',
    'authorization-kubeconfig',
    'leader-elect',
    'client-ca-file',
    'requestheader-client-ca-file',
    'root-ca-file',
    'cluster-signing-cert-file',
    'cluster-signing-key-file',
    'service-account-private-key-file',
    'cluster-name',
    'cluster-cidr',
    'allocate-node-cidrs',
    'service-cluster-ip-range',
    'flex-volume-plugin-dir',
  ],
};

/** Known flags that make the binary print something and exit: the component would restart forever. */
const EXITING_FLAGS: ReadonlySet<string> = new Set(['help', 'version', 'write-config-to']);

export interface KnownFlags {
  flags: ReadonlySet<string>;
  /** The minor whose list was used, e.g. "1.31". */
  minor: string;
  /** Set when the version has no list of its own and a neighbour's was used. */
  note?: string;
}

/** The flag names (no leading dashes) of `component` at `version` (v1.31.0, 1.31, v1.31.2-rc.0). */
export function knownFlags(component: ControlPlaneComponent, version: string): ReadonlySet<string> {
  return resolveFlags(component, version).flags;
}

/** knownFlags with the minor actually used and, for a version without a list, a note saying so. */
export function resolveFlags(component: ControlPlaneComponent, version: string): KnownFlags {
  const wanted = parseMinor(version);
  const minors = Object.keys(FLAG_NAMES).sort((a, b) => minorNumber(a) - minorNumber(b));
  if (wanted !== undefined && FLAG_NAMES[wanted]) return { flags: FLAG_NAMES[wanted][component], minor: wanted };
  // Nearest known minor; on a tie the newer one (flags mostly get added).
  let best = minors[minors.length - 1] ?? '';
  if (wanted !== undefined) {
    const w = minorNumber(wanted);
    for (const m of minors) if (Math.abs(minorNumber(m) - w) <= Math.abs(minorNumber(best) - w)) best = m;
  }
  const names = FLAG_NAMES[best];
  if (!names) throw new Error('no flag lists at all: flag-names.ts is empty');
  return {
    flags: names[component],
    minor: best,
    note: `no ${component} flag list for ${version}: checked against ${best}'s (known: ${minors.join(', ')}); a flag new or removed since may be misjudged`,
  };
}

/**
 * One line per problem in `extraArgs` (names without dashes): unknown flags
 * (with the closest known name) and flags belay owns. Empty when all is well.
 */
/** One refused extra flag: as given (`raw`), and why, in a sentence. */
export interface ExtraArgProblem {
  flag: string;
  reason: string;
}

/** "kube-apiserver extraArgs FLAG: REASON", for messages that name the component. */
export function describeExtraArgProblem(component: ControlPlaneComponent, p: ExtraArgProblem): string {
  return `${component} extraArgs ${p.flag}: ${p.reason}`;
}

export function validateExtraArgs(component: ControlPlaneComponent, version: string, extraArgs: Record<string, string>): ExtraArgProblem[] {
  const { flags, minor } = resolveFlags(component, version);
  const owned = new Set(OWNED_FLAGS[component]);
  const problems: ExtraArgProblem[] = [];
  for (const raw of Object.keys(extraArgs).sort()) {
    const name = raw.replace(/^-+/, '');
    if (owned.has(name)) {
      problems.push({ flag: raw, reason: 'is set by belay from the spec (addresses, ports, etcd, TLS files, leader election): remove it' });
    } else if (!flags.has(name)) {
      const near = closest(name, [...flags]);
      problems.push({ flag: raw, reason: `not a ${component} ${minor} flag: ${near ? `did you mean "${near}"?` : `see ${component} --help for the names`}` });
    } else if (EXITING_FLAGS.has(name)) {
      problems.push({ flag: raw, reason: `makes ${component} print and exit instead of serving: remove it` });
    }
  }
  return problems;
}

/** "v1.31.0" → "1.31"; undefined when it is not a version. */
function parseMinor(version: string): string | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(version.trim());
  return m ? `${m[1]}.${m[2]}` : undefined;
}

function minorNumber(minor: string): number {
  const [maj = '0', min = '0'] = minor.split('.');
  return Number(maj) * 1000 + Number(min);
}
