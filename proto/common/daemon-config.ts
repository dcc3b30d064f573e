import net from 'node:net';
import { z } from 'zod';
import { DEFAULT_MAX_MESSAGE_BYTES } from './grpc.js';

/**
 * Schema pieces both daemons' configs share. Every field's default and
 * meaning is listed in docs/config.md; keep the two in step.
 */

export const nodeName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: 'must be a DNS label (lowercase letters, digits and "-", at most 63), e.g. m1' });

export const ipAddress = z.string().refine((s) => net.isIP(s) !== 0, { message: 'must be an IPv4 or IPv6 address, e.g. 127.0.1.1' });

export const hostPort = z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/, { message: 'must be HOST:PORT, e.g. 127.0.1.1:7702' });

export const absPath = z.string().startsWith('/', { message: 'must be an absolute host path (it is taken under --root), e.g. /etc/belay/pki/ca.crt' });

export const nodeRef = z.strictObject({ name: nodeName, address: ipAddress });

export const TLS_DEFAULTS = {
  /** The cluster CA certificate that every peer's certificate must chain to. */
  ca: '/etc/belay/pki/ca.crt',
  /** This master's certificate (CN = node name; SANs = name and address). Default: /etc/belay/pki/<node.name>.crt */
  cert: undefined as string | undefined,
  /** Its private key. Default: /etc/belay/pki/<node.name>.key */
  key: undefined as string | undefined,
};

export const tlsSchema = z.strictObject({
  ca: absPath.default(TLS_DEFAULTS.ca),
  cert: absPath.optional(),
  key: absPath.optional(),
});

export const COMMON_DEFAULTS = {
  /** Plaintext gRPC. Only for debugging on a trusted host; logs a warning at every start. */
  insecure: false,
  /** Largest gRPC message accepted or sent, bytes. A host report is ~10 KiB. */
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  /** On SIGTERM, how long open calls and streams get to finish before they are cut, ms. */
  shutdownGraceMs: 5_000,
  /** error | warn | info | debug. */
  logLevel: 'info' as 'error' | 'warn' | 'info' | 'debug',
};

export const commonFields = {
  node: nodeRef,
  tls: tlsSchema.default({ ca: TLS_DEFAULTS.ca }),
  insecure: z.boolean({ message: 'must be true or false' }).default(COMMON_DEFAULTS.insecure),
  maxMessageBytes: z
    .number({ message: 'must be a number of bytes' })
    .int({ message: 'must be a whole number of bytes' })
    .min(64 * 1024, { message: 'must be at least 65536 (64 KiB): a host report must fit' })
    .max(64 * 1024 * 1024, { message: 'must be at most 67108864 (64 MiB)' })
    .default(COMMON_DEFAULTS.maxMessageBytes),
  shutdownGraceMs: z
    .number({ message: 'must be a number of ms' })
    .int({ message: 'must be a whole number of ms' })
    .min(0, { message: 'must be 0 or more ms' })
    .max(120_000, { message: 'must be at most 120000 ms' })
    .default(COMMON_DEFAULTS.shutdownGraceMs),
  logLevel: z.enum(['error', 'warn', 'info', 'debug'], { message: 'must be one of error, warn, info, debug' }).default(COMMON_DEFAULTS.logLevel),
};

/** Resolved TLS paths: cert and key default to the node's own files. */
export function tlsPaths(tls: { ca: string; cert?: string | undefined; key?: string | undefined }, node: string): { ca: string; cert: string; key: string } {
  return { ca: tls.ca, cert: tls.cert ?? `/etc/belay/pki/${node}.crt`, key: tls.key ?? `/etc/belay/pki/${node}.key` };
}
