import { OperatorError } from '../../proto/common/errors.js';

/**
 * Paths and addresses as the renderers (etcd, control plane, balancer) put
 * them into manifests and configs. Pure: no node:path, so the renderers stay
 * free of I/O imports.
 */

/**
 * Host path `p` under `root`, as HostPaths.host does: `.` and `..` resolved,
 * never above the root (each is normalized alone: p's `..` stops at its own /,
 * as on the master).
 */
export function underRoot(root: string, p: string): string {
  for (const [what, v] of [
    ['root', root],
    ['path', p],
  ] as const) {
    if (!v.startsWith('/')) {
      throw new OperatorError({ code: 'PATH_NOT_ABSOLUTE', message: `${what} ${v} is not absolute`, hint: 'give host paths from /, e.g. /var/lib/etcd' });
    }
  }
  return `/${[...segments(root), ...segments(p)].join('/')}`;
}

/** An address as the host part of a URL: IPv6 in brackets. */
export function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

function segments(p: string): string[] {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out;
}
