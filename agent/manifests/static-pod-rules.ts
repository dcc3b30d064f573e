/**
 * The rules across fields and the static-pod rules: a static pod must not
 * refer to API objects (the API server refuses its mirror pod), and names,
 * handlers and sources must be one of a kind. Pure.
 */
import { at, isRecord, quote, type Placing, type Problem } from './problems.js';

export const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
export const PROBE_KINDS = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
/** The volume sources of core/v1 VolumeSource; a volume has exactly one. */
const VOLUME_SOURCES = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
] as const;
/** Sources that name API objects: the mirror pod would be refused. */
const API_OBJECT_SOURCES: Record<string, string> = {
  secret: 'a secret',
  configMap: 'a config map',
  persistentVolumeClaim: 'a persistent volume claim',
  projected: 'a projected volume (service account token, secrets, config maps)',
  ephemeral: 'a generic ephemeral volume (a persistent volume claim)',
};
const STATIC_POD_HINT = 'a static pod cannot refer to API objects (kubelet runs it, but the API server refuses its mirror pod)';

export function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

function nonEmptyList(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0;
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? (v as unknown[]) : [];
}

/** The rules across fields and the static-pod rules; runs on whatever shape the value has, so it reports beside type errors. */
export function checkStaticPod(value: unknown, placing: Placing): Problem[] {
  const out: Problem[] = [];
  const spec = isRecord(value) ? value.spec : undefined;
  if (!isRecord(spec)) return out;

  for (const key of ['serviceAccountName', 'serviceAccount'] as const) {
    if (typeof spec[key] === 'string' && spec[key] !== '') {
      out.push(at(placing, ['spec', key], `${STATIC_POD_HINT}: remove the service account; give the pod credentials as files through a hostPath volume`));
    }
  }
  if (nonEmptyList(spec.imagePullSecrets)) {
    out.push(
      at(
        placing,
        ['spec', 'imagePullSecrets'],
        `${STATIC_POD_HINT}: remove imagePullSecrets; put registry credentials in the container runtime's config on the node`,
      ),
    );
  }
  if (nonEmptyList(spec.ephemeralContainers)) {
    out.push(
      at(
        placing,
        ['spec', 'ephemeralContainers'],
        'a static pod cannot have ephemeral containers: remove them (kubectl debug works on the running mirror pod instead)',
      ),
    );
  }
  if (nonEmptyList(spec.resourceClaims)) {
    out.push(at(placing, ['spec', 'resourceClaims'], `${STATIC_POD_HINT}: remove the resource claims`));
  }

  const volumeNames = new Map<string, number>();
  list(spec.volumes).forEach((vol, i) => {
    if (!isRecord(vol)) return;
    const path = ['spec', 'volumes', i];
    if (typeof vol.name === 'string') {
      const first = volumeNames.get(vol.name);
      if (first !== undefined)
        out.push(at(placing, [...path, 'name'], `volume name ${quote(vol.name)} is also used by spec.volumes[${first}]: names must be unique`));
      else volumeNames.set(vol.name, i);
    }
    const sources = VOLUME_SOURCES.filter((s) => present(vol[s]));
    if (sources.length > 1) {
      out.push(at(placing, path, `has ${sources.length} sources (${sources.join(', ')}): a volume takes exactly one`));
    }
    for (const s of sources) {
      const what = API_OBJECT_SOURCES[s];
      if (what) out.push(at(placing, [...path, s], `is ${what}; ${STATIC_POD_HINT}: use a hostPath volume with the files on the node`));
    }
  });

  const containerNames = new Map<string, string>();
  for (const group of ['initContainers', 'containers'] as const) {
    list(spec[group]).forEach((ctr, i) => {
      if (!isRecord(ctr)) return;
      const path = ['spec', group, i];
      if (typeof ctr.name === 'string') {
        const first = containerNames.get(ctr.name);
        if (first !== undefined)
          out.push(at(placing, [...path, 'name'], `container name ${quote(ctr.name)} is also used by ${first}: names must be unique in the pod`));
        else containerNames.set(ctr.name, `spec.${group}[${i}]`);
      }
      checkContainer(ctr, path, group === 'initContainers', spec.hostNetwork === true, volumeNames, placing, out);
    });
  }
  return out;
}

function checkContainer(
  ctr: Record<string, unknown>,
  path: readonly PropertyKey[],
  init: boolean,
  hostNetwork: boolean,
  volumeNames: ReadonlyMap<string, number>,
  placing: Placing,
  out: Problem[],
): void {
  if (nonEmptyList(ctr.envFrom)) {
    out.push(at(placing, [...path, 'envFrom'], `${STATIC_POD_HINT}: write the variables out under env`));
  }
  list(ctr.env).forEach((env, j) => {
    const from = isRecord(env) ? env.valueFrom : undefined;
    if (!isRecord(from)) return;
    for (const ref of ['secretKeyRef', 'configMapKeyRef'] as const) {
      if (present(from[ref]))
        out.push(at(placing, [...path, 'env', j, 'valueFrom', ref], `${STATIC_POD_HINT}: give the value inline, or as a file through a hostPath volume`));
    }
  });

  const sidecar = ctr.restartPolicy === 'Always';
  for (const kind of PROBE_KINDS) {
    const p = ctr[kind];
    if (!isRecord(p)) continue;
    const probePath = [...path, kind];
    if (init && !sidecar) {
      out.push(at(placing, probePath, 'an init container cannot have probes unless it is a sidecar (restartPolicy: Always): remove the probe'));
    }
    const handlers = PROBE_HANDLERS.filter((h) => present(p[h]));
    if (handlers.length === 0) {
      out.push(at(placing, probePath, `has no handler: give exactly one of ${PROBE_HANDLERS.join(', ')}`));
    } else if (handlers.length > 1) {
      out.push(at(placing, probePath, `has ${handlers.length} handlers (${handlers.join(', ')}): a probe takes exactly one of ${PROBE_HANDLERS.join(', ')}`));
    }
    const success = p.successThreshold;
    if (kind !== 'readinessProbe' && typeof success === 'number' && success !== 0 && success !== 1) {
      out.push(at(placing, [...probePath, 'successThreshold'], `must be 1 for a ${kind === 'livenessProbe' ? 'liveness' : 'startup'} probe, not ${success}`));
    }
    if (kind === 'readinessProbe' && present(p.terminationGracePeriodSeconds)) {
      out.push(at(placing, [...probePath, 'terminationGracePeriodSeconds'], 'is not allowed on a readiness probe: remove it'));
    }
  }

  const mountPaths = new Set<string>();
  list(ctr.volumeMounts).forEach((m, j) => {
    if (!isRecord(m)) return;
    if (typeof m.name === 'string' && m.name !== '' && !volumeNames.has(m.name)) {
      const declared = [...volumeNames.keys()].slice(0, 10).map(quote);
      out.push(
        at(
          placing,
          [...path, 'volumeMounts', j, 'name'],
          `${quote(m.name)} matches no volume in spec.volumes (${declared.length > 0 ? `declared: ${declared.join(', ')}` : 'none declared'}): declare it or fix the name`,
        ),
      );
    }
    if (typeof m.mountPath === 'string' && m.mountPath !== '') {
      if (mountPaths.has(m.mountPath))
        out.push(at(placing, [...path, 'volumeMounts', j, 'mountPath'], `${quote(m.mountPath)} is mounted twice in this container`));
      mountPaths.add(m.mountPath);
    }
  });

  const portNames = new Set<string>();
  list(ctr.ports).forEach((port, j) => {
    if (!isRecord(port)) return;
    if (typeof port.name === 'string' && port.name !== '') {
      if (portNames.has(port.name)) out.push(at(placing, [...path, 'ports', j, 'name'], `port name ${quote(port.name)} is used twice in this container`));
      portNames.add(port.name);
    }
    const { hostPort, containerPort } = port;
    if (hostNetwork && typeof hostPort === 'number' && hostPort !== 0 && typeof containerPort === 'number' && hostPort !== containerPort) {
      out.push(at(placing, [...path, 'ports', j, 'hostPort'], `is ${hostPort} but containerPort is ${containerPort}: with hostNetwork they must be equal`));
    }
  });
}
