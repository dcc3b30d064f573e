/**
 * The v1 Pod as kubelet decodes it: apiVersion and kind, then the fields'
 * types and formats after defaulting (a zod schema; unknown fields are
 * tolerated, as kubelet's non-strict decoding does; null is absent, as in
 * Go's JSON). Pure.
 */
import { z } from 'zod';
import { MAX_PROBLEMS, at, describeValue, isRecord, type Placing, type Problem } from './problems.js';

export function checkHeader(value: unknown, placing: Placing): Problem[] {
  if (!isRecord(value)) {
    return [at(placing, [], `is ${describeValue(value)}, not a Pod: a manifest is a mapping with apiVersion: v1, kind: Pod, metadata and spec`)];
  }
  const out: Problem[] = [];
  const { apiVersion, kind } = value;
  if (apiVersion !== 'v1') {
    out.push(
      apiVersion === undefined || apiVersion === null
        ? at(placing, [], 'apiVersion is missing: a static pod manifest has apiVersion: v1 and kind: Pod')
        : at(placing, ['apiVersion'], `is ${describeValue(apiVersion)}; a static pod is apiVersion: v1, kind: Pod`),
    );
  }
  if (kind !== 'Pod') {
    out.push(
      kind === undefined || kind === null
        ? at(placing, [], 'kind is missing: a static pod manifest has apiVersion: v1 and kind: Pod')
        : at(
            placing,
            ['kind'],
            `is ${describeValue(kind)}; kubelet runs only kind: Pod from the manifests dir (other kinds belong in the API server: kubectl apply)`,
          ),
    );
  }
  return out;
}

/** Go's JSON decoding treats null as absent. */
const opt = <T extends z.ZodType>(s: T) => s.nullish();

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const PORT_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY = /^[+]?(\d+(\.\d*)?|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;
const INT32_MAX = 2_147_483_647;

const dnsLabel = z
  .string()
  .max(63)
  .regex(DNS_LABEL, 'must be a DNS label: lowercase letters, digits and "-", starting and ending with a letter or digit, e.g. etcd');
const dnsSubdomain = z.string().max(253).regex(DNS_SUBDOMAIN, 'must be a DNS subdomain: lowercase letters, digits, "-" and ".", e.g. kube-apiserver');
const qualifiedName = z.string().refine((k) => {
  const slash = k.lastIndexOf('/');
  const name = slash < 0 ? k : k.slice(slash + 1);
  const prefix = slash < 0 ? null : k.slice(0, slash);
  return name.length <= 63 && QUALIFIED_NAME.test(name) && (prefix === null || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix)));
}, 'is not a valid key: an optional DNS prefix and "/", then up to 63 letters, digits, "-", "_" or ".", e.g. tier or kubeadm.kubernetes.io/etcd.advertise-client-urls');
const labelValue = z.string().max(63).regex(LABEL_VALUE, 'must be up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit');
const int32 = z.int().max(INT32_MAX);
const nonNegative = int32.min(0);
const portNumber = z.int().min(1).max(65535);
const portName = z.string().max(15).regex(PORT_NAME, 'must be a port name: up to 15 lowercase letters, digits and "-", with a letter, e.g. https');
const portOrName = z.union([portNumber, portName], {
  error: (iss) => (iss.input === undefined || iss.input === null ? undefined : 'must be a port number (1-65535) or a port name like "https"'),
});
const QUANTITY_HINT = 'must be a quantity like 100m, 250Mi or 2';
const quantity = z.union([z.number().min(0, 'must not be negative'), z.string().regex(QUANTITY, QUANTITY_HINT)], {
  error: (iss) => (iss.input === undefined || iss.input === null ? undefined : QUANTITY_HINT),
});
const strings = z.array(z.string());
const absolutePath = z
  .string()
  .min(1)
  .refine((p) => p.startsWith('/'), 'must be an absolute path on the node, like /etc/kubernetes/pki')
  .refine((p) => !p.split('/').includes('..'), "must not contain '..'");
const relativeSubPath = z
  .string()
  .refine((p) => !p.startsWith('/'), 'must be relative to the volume')
  .refine((p) => !p.split('/').includes('..'), "must not contain '..'");

const seccompProfile = z.looseObject({ type: z.enum(['RuntimeDefault', 'Unconfined', 'Localhost']), localhostProfile: opt(z.string()) });

const httpGet = z.looseObject({
  path: opt(z.string()),
  port: portOrName,
  host: opt(z.string()),
  scheme: opt(z.enum(['HTTP', 'HTTPS'])),
  httpHeaders: opt(z.array(z.looseObject({ name: z.string().min(1), value: z.string() }))),
});
const tcpSocket = z.looseObject({ port: portOrName, host: opt(z.string()) });
const exec = z.looseObject({ command: opt(strings) });

const probe = z.looseObject({
  exec: opt(exec),
  httpGet: opt(httpGet),
  tcpSocket: opt(tcpSocket),
  grpc: opt(z.looseObject({ port: portNumber, service: opt(z.string()) })),
  initialDelaySeconds: opt(nonNegative),
  timeoutSeconds: opt(nonNegative),
  periodSeconds: opt(nonNegative),
  successThreshold: opt(nonNegative),
  failureThreshold: opt(nonNegative),
  terminationGracePeriodSeconds: opt(int32.min(1)),
});

const lifecycleHandler = z.looseObject({
  exec: opt(exec),
  httpGet: opt(httpGet),
  tcpSocket: opt(tcpSocket),
  sleep: opt(z.looseObject({ seconds: z.int().min(0) })),
});

const container = z.looseObject({
  name: dnsLabel,
  image: z
    .string()
    .min(1)
    .refine((s) => s === s.trim(), 'must not start or end with a space'),
  command: opt(strings),
  args: opt(strings),
  workingDir: opt(z.string()),
  env: opt(
    z.array(
      z.looseObject({
        name: z
          .string()
          .min(1)
          .regex(/^[\x20-\x3c\x3e-\x7e]+$/, 'must be printable ASCII without "="'),
        value: opt(z.string()),
        valueFrom: opt(z.looseObject({})),
      }),
    ),
  ),
  envFrom: opt(z.array(z.looseObject({}))),
  ports: opt(
    z.array(
      z.looseObject({
        name: opt(portName),
        containerPort: portNumber,
        hostPort: opt(z.int().min(0).max(65535)),
        hostIP: opt(z.string()),
        protocol: opt(z.enum(['TCP', 'UDP', 'SCTP'])),
      }),
    ),
  ),
  resources: opt(z.looseObject({ requests: opt(z.record(z.string(), quantity)), limits: opt(z.record(z.string(), quantity)) })),
  volumeMounts: opt(
    z.array(
      z.looseObject({
        name: z.string().min(1),
        mountPath: z.string().min(1),
        readOnly: opt(z.boolean()),
        subPath: opt(relativeSubPath),
        subPathExpr: opt(z.string()),
        mountPropagation: opt(z.enum(['None', 'HostToContainer', 'Bidirectional'])),
      }),
    ),
  ),
  livenessProbe: opt(probe),
  readinessProbe: opt(probe),
  startupProbe: opt(probe),
  lifecycle: opt(z.looseObject({ postStart: opt(lifecycleHandler), preStop: opt(lifecycleHandler) })),
  imagePullPolicy: opt(z.enum(['Always', 'IfNotPresent', 'Never'])),
  restartPolicy: opt(z.enum(['Always', 'OnFailure', 'Never'])),
  securityContext: opt(
    z.looseObject({
      privileged: opt(z.boolean()),
      runAsUser: opt(z.int().min(0)),
      runAsGroup: opt(z.int().min(0)),
      runAsNonRoot: opt(z.boolean()),
      readOnlyRootFilesystem: opt(z.boolean()),
      allowPrivilegeEscalation: opt(z.boolean()),
      capabilities: opt(z.looseObject({ add: opt(strings), drop: opt(strings) })),
      seccompProfile: opt(seccompProfile),
    }),
  ),
  terminationMessagePath: opt(z.string()),
  terminationMessagePolicy: opt(z.enum(['File', 'FallbackToLogsOnError'])),
  stdin: opt(z.boolean()),
  stdinOnce: opt(z.boolean()),
  tty: opt(z.boolean()),
});

const volume = z.looseObject({
  name: dnsLabel,
  hostPath: opt(
    z.looseObject({
      path: absolutePath,
      type: opt(z.enum(['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'])),
    }),
  ),
  emptyDir: opt(z.looseObject({ medium: opt(z.string()), sizeLimit: opt(quantity) })),
});

const podSchema = z.looseObject({
  metadata: z.looseObject({
    name: dnsSubdomain,
    namespace: opt(dnsLabel),
    labels: opt(z.record(qualifiedName, labelValue)),
    annotations: opt(z.record(qualifiedName, z.string())),
  }),
  spec: z.looseObject({
    containers: z.array(container).min(1),
    initContainers: opt(z.array(container)),
    volumes: opt(z.array(volume)),
    hostNetwork: opt(z.boolean()),
    hostPID: opt(z.boolean()),
    hostIPC: opt(z.boolean()),
    shareProcessNamespace: opt(z.boolean()),
    priorityClassName: opt(z.string()),
    priority: opt(int32.min(-INT32_MAX - 1)),
    restartPolicy: opt(z.enum(['Always', 'OnFailure', 'Never'])),
    terminationGracePeriodSeconds: opt(z.int().min(0)),
    activeDeadlineSeconds: opt(z.int().min(1)),
    dnsPolicy: opt(z.enum(['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'])),
    nodeName: opt(z.string()),
    nodeSelector: opt(z.record(z.string(), z.string())),
    hostname: opt(dnsLabel),
    subdomain: opt(dnsLabel),
    automountServiceAccountToken: opt(z.boolean()),
    securityContext: opt(
      z.looseObject({
        runAsUser: opt(z.int().min(0)),
        runAsGroup: opt(z.int().min(0)),
        runAsNonRoot: opt(z.boolean()),
        fsGroup: opt(z.int().min(0)),
        supplementalGroups: opt(z.array(z.int().min(0))),
        seccompProfile: opt(seccompProfile),
        sysctls: opt(z.array(z.looseObject({ name: z.string().min(1), value: z.string() }))),
      }),
    ),
    tolerations: opt(
      z.array(
        z.looseObject({
          key: opt(z.string()),
          operator: opt(z.enum(['Exists', 'Equal'])),
          value: opt(z.string()),
          effect: opt(z.enum(['', 'NoSchedule', 'PreferNoSchedule', 'NoExecute'])),
          tolerationSeconds: opt(z.int()),
        }),
      ),
    ),
  }),
});

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

/** Zod's issues in words an operator reads; the schema's own messages take precedence. */
function issueText(iss: z.core.$ZodRawIssue, placing: Placing): string {
  const input: unknown = iss.input;
  switch (iss.code) {
    case 'invalid_type': {
      if (input === undefined || input === null) return 'is required';
      const expected = TYPE_WORDS[iss.expected] ?? iss.expected;
      if (iss.expected === 'int' && typeof input === 'number') return `must be a whole number, not ${input}`;
      if (iss.expected === 'string' && (typeof input === 'number' || typeof input === 'boolean')) {
        const source = placing.sourceOf(iss.path ?? []) ?? String(input);
        return `must be a string, not ${describeValue(input)}: quote it, like "${source.replace(/^["']|["']$/g, '')}"`;
      }
      return `must be ${expected}, not ${describeValue(input)}`;
    }
    case 'too_small': {
      const min = Number(iss.minimum);
      if (iss.origin === 'array') return `needs at least ${min} item${min === 1 ? '' : 's'}`;
      if (iss.origin === 'string') return min === 1 ? 'must not be empty' : `must be at least ${min} characters`;
      return iss.inclusive ? `must be at least ${min}, not ${String(input)}` : `must be more than ${min}, not ${String(input)}`;
    }
    case 'too_big': {
      const max = Number(iss.maximum);
      if (iss.origin === 'array') return `may have at most ${max} items`;
      if (iss.origin === 'string') return `must be at most ${max} characters long`;
      return `must be at most ${max}, not ${String(input)}`;
    }
    case 'invalid_value':
      return `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}, not ${describeValue(input)}`;
    case 'invalid_format':
      return 'is not in the expected format';
    case 'invalid_key':
      return `has an invalid key ${describeValue(input)}`;
    default:
      return 'is not valid';
  }
}

export function checkSchema(value: unknown, placing: Placing): Problem[] {
  const result = podSchema.safeParse(value, { error: (iss) => issueText(iss, placing) });
  if (result.success) return [];
  return result.error.issues.slice(0, 4 * MAX_PROBLEMS).map((iss) => {
    // A record's key: the key schema's own message says what is wrong with it.
    if (iss.code === 'invalid_key') return at(placing, iss.path, iss.issues[0]?.message ?? iss.message);
    return at(placing, iss.path, iss.message);
  });
}
