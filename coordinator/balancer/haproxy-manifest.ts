import YAML from 'yaml';
import type { ClusterSpec } from '../cluster/spec.js';
import { OperatorError } from '../../proto/common/errors.js';
import { HAPROXY_DEFAULTS, haproxyPaths } from './haproxy-config.js';

export { haproxyPaths } from './haproxy-config.js';

/**
 * The balancer's static Pod on one master (spec.loadBalancer.mode
 * static-pod), beside etcd's and the apiserver's: haproxy in the foreground
 * (`-db`) on the host network, its config and runtime socket as hostPath
 * volumes under the agent's root. Named `haproxy` as etcd's pod is `etcd`
 * (kubelet adds the node name). Pure: same input, same bytes.
 */

export interface HaproxyManifestInput {
  spec: ClusterSpec;
  /** Name in spec.spec.masters: its address carries the liveness endpoint. */
  master: string;
  /** The master agent's --root. */
  root: string;
  /** haproxy:2.6 if unset (kubelet runs it; the host runtime runs `haproxy` from PATH). */
  image?: string;
  /** As given to renderHaproxyConfig. */
  healthPort?: number;
  /**
   * The rendered haproxy.cfg's hash, as an annotation: the pod does not
   * change when only the config does, so a new config would not reach a
   * running haproxy; with its hash here, writing both restarts it.
   */
  configSha256?: string;
}

export const HAPROXY_IMAGE = 'haproxy:2.6';
export const HAPROXY_POD = 'haproxy';
export const HAPROXY_MANIFEST_FILE = 'haproxy.yaml';

/** haproxy exits at once on SIGTERM (a hard stop); the grace only bounds a stuck exit. */
const TERMINATION_GRACE_SECONDS = 5;
/** Three misses 5 s apart restart it: the balancer being gone stops every client of the cluster. */
const LIVENESS = { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 } as const;
/** The host runtime reports readiness from it; the balancer is up within a second of starting. */
const READINESS = { periodSeconds: 2, timeoutSeconds: 2 } as const;

export function renderHaproxyManifest(i: HaproxyManifestInput): string {
  const self = i.spec.spec.masters.find((m) => m.name === i.master);
  if (!self) {
    throw new OperatorError({
      code: 'HAPROXY_RENDER_UNKNOWN_MASTER',
      message: `cannot render the haproxy pod for ${i.master}: it is not in spec.masters (${i.spec.spec.masters.map((m) => m.name).join(', ')})`,
      hint: `add ${i.master} to spec.masters (belayctl apply -f), or check the agent's node name`,
    });
  }
  if (i.configSha256 !== undefined && !/^[0-9a-f]{64}$/.test(i.configSha256)) {
    throw new OperatorError({
      code: 'HAPROXY_RENDER_BAD_HASH',
      message: `configSha256 ${JSON.stringify(i.configSha256)} is not a hex SHA-256`,
      hint: 'pass sha256(renderHaproxyConfig(...)) as 64 lowercase hex digits',
    });
  }
  const paths = haproxyPaths(i.root);
  // Answered by haproxy itself (monitor-uri), never by an apiserver: see HAPROXY_DEFAULTS.
  const health = (probe: object) => ({
    httpGet: { host: self.address, path: HAPROXY_DEFAULTS.healthPath, port: i.healthPort ?? HAPROXY_DEFAULTS.healthPort, scheme: 'HTTP' },
    ...probe,
  });
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: HAPROXY_POD,
      namespace: 'kube-system',
      labels: { component: HAPROXY_POD, tier: 'control-plane' },
      ...(i.configSha256 ? { annotations: { 'belay.dev/haproxy-config-sha256': i.configSha256 } } : {}),
    },
    spec: {
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
      terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
      containers: [
        {
          name: HAPROXY_POD,
          image: i.image ?? HAPROXY_IMAGE,
          imagePullPolicy: 'IfNotPresent',
          command: ['haproxy', '-f', paths.configFile, '-db'],
          livenessProbe: health(LIVENESS),
          readinessProbe: health(READINESS),
          resources: { requests: { cpu: '25m', memory: '32Mi' } },
          // The haproxy image runs as uid 99, which cannot create the socket in the root-owned hostPath dir; root with no capabilities can.
          securityContext: { runAsUser: 0, runAsGroup: 0, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          volumeMounts: [
            { name: 'haproxy-config', mountPath: paths.configDir, readOnly: true },
            { name: 'haproxy-run', mountPath: paths.socketDir },
          ],
        },
      ],
      volumes: [
        { name: 'haproxy-config', hostPath: { path: paths.configDir, type: 'DirectoryOrCreate' } },
        { name: 'haproxy-run', hostPath: { path: paths.socketDir, type: 'DirectoryOrCreate' } },
      ],
    },
  };
  return YAML.stringify(pod, { lineWidth: 0 });
}
