import type { ClusterSpec } from '../cluster/spec.js';
import { OperatorError } from '../../proto/common/errors.js';
import { underRoot as hostPathUnder } from '../render/host-paths.js';

/**
 * haproxy.cfg for one master's balancer (spec.loadBalancer.mode static-pod):
 * a TCP frontend on the master's address and the balancer port, a backend
 * with every master's apiserver, health-checked on /readyz over TLS. TLS
 * passes through (clients verify the apiserver's certificate, whose SANs hold
 * the balancer's address), so the backend balances connections, not requests.
 *
 * Every server is rendered the same: draining or parking a master is runtime
 * state (runtime-api.ts: `set server kube-apiserver/<name> state drain|maint`),
 * never a re-render, which would restart haproxy and drop every watch on it.
 * Pure: same input, same bytes.
 */

export interface HaproxyConfigInput {
  spec: ClusterSpec;
  /** Name in spec.spec.masters: whose address the frontends bind. */
  master: string;
  /** The master agent's --root: the runtime API socket goes under it. */
  root: string;
  /** The liveness endpoint's port (HAPROXY_DEFAULTS.healthPort if unset). */
  healthPort?: number;
}

export const HAPROXY_DEFAULTS = {
  /**
   * A `monitor-uri` frontend on the master's address, answered by haproxy
   * itself: the pod's liveness probe. It never touches the apiservers, so
   * apiservers all failing does not restart the balancer (which would fix
   * nothing). 8404 is haproxy's documented stats port.
   */
  healthPort: 8404,
  healthPath: '/healthz',
  /**
   * How long a health check may wait for /readyz's answer once connected
   * (connecting and the TLS handshake stay bounded by the check interval:
   * haproxy uses min(timeout connect, inter) for them). Longer keeps a
   * slow but working apiserver in; a hung one is out after fall × (interval + this).
   */
  checkTimeoutMs: 2_000,
} as const;

/** The backend's name: the runtime API addresses servers as kube-apiserver/<master>. */
export const BACKEND = 'kube-apiserver';
/** Frontend names differ from the backend's: `show stat <name>` picks the first proxy by that name. */
const FRONTEND = 'apiserver';
const HEALTH_FRONTEND = 'healthz';

/** Config dir and runtime API socket on a master, as real paths under the agent's root. */
export function haproxyPaths(root: string): { configDir: string; configFile: string; socketDir: string; socket: string } {
  const configDir = underRoot(root, '/etc/haproxy');
  const socketDir = underRoot(root, '/run/belay/haproxy');
  return { configDir, configFile: `${configDir}/haproxy.cfg`, socketDir, socket: `${socketDir}/admin.sock` };
}

/** sizeof(sun_path) − 1 on Linux: haproxy refuses a longer socket path. */
const MAX_SOCKET_PATH_BYTES = 107;

/** The backend's servers: every master's apiserver, by the master's name (a rollout drains them by name). */
export function backendServers(spec: ClusterSpec): Record<string, string> {
  return Object.fromEntries(spec.spec.masters.map((m) => [m.name, hostPort(m.address, spec.spec.apiserver.securePort)]));
}

/** Each server's checks: haproxy.cfg's default-server line, and what a server added at run time is given (it takes no default-server). */
export function backendServerOptions(spec: ClusterSpec): string {
  const lb = spec.spec.loadBalancer;
  return `check check-ssl verify none inter ${lb.checkIntervalMs}ms fall ${lb.fall} rise ${lb.rise}`;
}

export function renderHaproxyConfig(i: HaproxyConfigInput): string {
  const lb = i.spec.spec.loadBalancer;
  if (lb.mode !== 'static-pod') {
    fail(
      'HAPROXY_RENDER_NOT_STATIC_POD',
      `not rendering haproxy for ${i.master}: spec.loadBalancer.mode is ${lb.mode}, so belay drives an haproxy it does not run`,
      'set spec.loadBalancer.mode to static-pod to have belay run haproxy on every master',
    );
  }
  const self = i.spec.spec.masters.find((m) => m.name === i.master);
  if (!self) {
    fail(
      'HAPROXY_RENDER_UNKNOWN_MASTER',
      `cannot render haproxy for ${i.master}: it is not in spec.masters (${i.spec.spec.masters.map((m) => m.name).join(', ')})`,
      `add ${i.master} to spec.masters (belayctl apply -f), or check the agent's node name`,
    );
  }
  const healthPort = i.healthPort ?? HAPROXY_DEFAULTS.healthPort;
  checkPorts(i.spec, healthPort);
  for (const [what, n, min] of [
    ['checkIntervalMs', lb.checkIntervalMs, 1],
    ['fall', lb.fall, 1],
    ['rise', lb.rise, 1],
  ] as const) {
    if (!Number.isInteger(n) || n < min)
      fail(
        'HAPROXY_RENDER_BAD_CHECK',
        `spec.loadBalancer.${what} is ${n}: it must be a whole number of at least ${min}`,
        `fix spec.loadBalancer.${what} (defaults: checkIntervalMs 500, fall 2, rise 2)`,
      );
  }
  for (const m of i.spec.spec.masters) {
    if (!isIp(m.address))
      fail(
        'HAPROXY_RENDER_BAD_ADDRESS',
        `master ${m.name} has address ${JSON.stringify(m.address)}, which is not an IPv4 or IPv6 address`,
        `give spec.masters[${m.name}].address as an IP address, e.g. 10.0.0.11`,
      );
    // haproxy names allow letters, digits, - _ . : only; a master name is a DNS label, so this only guards odd input.
    if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(m.name))
      fail(
        'HAPROXY_RENDER_BAD_NAME',
        `master name ${JSON.stringify(m.name)} cannot be an haproxy server name`,
        'use lowercase letters, digits and "-" in master names',
      );
  }
  const { socket } = haproxyPaths(i.root);
  if (/[\s"'#\\]/.test(socket))
    fail(
      'HAPROXY_RENDER_BAD_PATH',
      `the runtime API socket path ${socket} has a space, quote, # or backslash, which haproxy.cfg would split`,
      'run the agent with a --root without such characters',
    );
  if (new TextEncoder().encode(socket).length > MAX_SOCKET_PATH_BYTES) {
    fail(
      'HAPROXY_RENDER_SOCKET_PATH_TOO_LONG',
      `the runtime API socket path ${socket} is over ${MAX_SOCKET_PATH_BYTES} bytes, the limit of a unix socket path`,
      'run the agent with a shorter --root',
    );
  }

  const lines = [
    `# haproxy for master ${i.master}, rendered by belay: do not edit, it is rewritten.`,
    '# Drain and maintenance are runtime state (runtime API socket below), not config.',
    'global',
    // No daemon: haproxy runs with -db in the foreground under kubelet or belay's host runtime.
    // No maxconn: haproxy derives it from the fd limit; a fixed one above what the limit allows refuses to start.
    // level admin for `set server ... state`; expose-fd listeners lets a reloaded haproxy take over the listening sockets.
    `  stats socket ${socket} mode 600 level admin expose-fd listeners`,
    // No server-state-file: it would bring back a drain or maint that the
    // coordinator has since dropped; after a restart the coordinator asserts
    // each server's state again.
    '',
    'defaults',
    // Apiservers are balanced per connection with TLS passed through: clients keep end-to-end TLS and HTTP/2 pings.
    '  mode tcp',
    '  timeout connect 5s',
    // Idle time, not lifetime: a quiet watch may send nothing until it ends (up to 2 × --min-request-timeout, 60 min); kubeadm's guide's 20 s cuts watches.
    '  timeout client 1h',
    '  timeout server 1h',
    // A refused connection (apiserver just died, not yet marked DOWN) is retried, the last try on another server.
    '  retries 3',
    '  option redispatch',
    '',
    `frontend ${FRONTEND}`,
    `  bind ${hostPort(self.address, lb.port)}`,
    `  default_backend ${BACKEND}`,
    '',
    `frontend ${HEALTH_FRONTEND}`,
    '  mode http',
    `  bind ${hostPort(self.address, healthPort)}`,
    `  monitor-uri ${HAPROXY_DEFAULTS.healthPath}`,
    '  timeout client 5s',
    '  timeout http-request 5s',
    '',
    `backend ${BACKEND}`,
    '  balance roundrobin',
    // /readyz, not /healthz or /livez: an apiserver shutting down fails /readyz first, while it still serves.
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    // No `on-marked-down shutdown-sessions`: an apiserver stopping gracefully
    // fails /readyz while it finishes its requests, so cutting sessions when
    // it is marked DOWN would turn a clean shutdown into client errors. A dead
    // host's connections end by RST, or by client-go's HTTP/2 pings (end to
    // end, TLS passes through) within about 45 s. A drain (admin state) never
    // cuts sessions either way.
    `  default-server ${backendServerOptions(i.spec)}`,
    // Without it the whole check must finish within inter: a /readyz slow under load marks every apiserver
    // DOWN at once, an outage worse than slowness (kubeadm's own probe waits 15 s). Connecting and the TLS
    // handshake stay bounded by inter, so a dead host or a refused connection is caught as fast as before.
    `  timeout check ${HAPROXY_DEFAULTS.checkTimeoutMs}ms`,
    ...Object.entries(backendServers(i.spec)).map(([name, addr]) => `  server ${name} ${addr}`),
    '',
  ];
  return lines.join('\n');
}

/** Every port bound on the master's address must be a port, and free of the others. */
function checkPorts(spec: ClusterSpec, healthPort: number): void {
  const e = spec.spec.etcd;
  const ports: [string, number][] = [
    ['spec.loadBalancer.port', spec.spec.loadBalancer.port],
    ['healthPort', healthPort],
    ['spec.apiserver.securePort', spec.spec.apiserver.securePort],
    ['spec.etcd.clientPort', e.clientPort],
    ['spec.etcd.peerPort', e.peerPort],
    ['spec.etcd.metricsPort', e.metricsPort],
  ];
  for (const [k, [what, p]] of ports.entries()) {
    if (!Number.isInteger(p) || p < 1 || p > 65535)
      fail('HAPROXY_RENDER_BAD_PORT', `${what} is ${p}: not a port number`, `give ${what} as a whole number from 1 to 65535`);
    const other = ports.slice(0, k).find(([, q]) => q === p);
    if (other) fail('HAPROXY_RENDER_PORT_CONFLICT', `${what} is ${p}, as ${other[0]} is: both are bound on each master's address`, `give ${what} another port`);
  }
}

function fail(code: string, message: string, hint: string): never {
  throw new OperatorError({ code, message, hint });
}

/** haproxy's address:port; IPv6 in brackets (haproxy takes the port after the last colon either way). */
function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function isIp(a: string): boolean {
  return isIpv4(a) || isIpv6(a);
}

function isIpv4(a: string): boolean {
  const parts = a.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** RFC 4291 text forms: eight groups, one `::`, an IPv4 tail; no zone (haproxy.cfg has no use for one). */
function isIpv6(a: string): boolean {
  const halves = a.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((h) => (h === '' ? [] : h.split(':')));
  const tail = groups[groups.length - 1] ?? [];
  // An IPv4 tail (::ffff:10.0.0.1) is the last group of the last half and counts as two.
  const v4 = tail[tail.length - 1]?.includes('.') ? tail.pop() : undefined;
  if (v4 !== undefined && !isIpv4(v4)) return false;
  const hex = groups.flat();
  if (!hex.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  const count = hex.length + (v4 === undefined ? 0 : 2);
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** Host path `p` under `root` without node:path (pure), as etcd/render.ts: `.` and `..` resolved, never above the root. */
function underRoot(root: string, p: string): string {
  if (!root.startsWith('/')) fail('PATH_NOT_ABSOLUTE', `root ${root} is not absolute`, 'give the agent --root from /, e.g. /');
  return hostPathUnder(root, p);
}
