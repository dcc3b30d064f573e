import path from 'node:path';
import { OperatorError } from './errors.js';

/**
 * Every host path a daemon touches goes through here, so that `--root DIR`
 * moves all of them (several masters side by side on one machine) and no
 * configured path escapes its root.
 */
export class HostPaths {
  readonly root: string;

  constructor(root = '/') {
    this.root = path.resolve(root);
  }

  /** The real path of host path `p` (absolute, as on a master) under --root. */
  host(p: string): string {
    if (!path.isAbsolute(p)) {
      throw new OperatorError({ code: 'PATH_NOT_ABSOLUTE', message: `path ${p} is not absolute`, hint: 'give host paths from /, e.g. /var/lib/etcd' });
    }
    // On the master itself /../x is /x, so normalize first; then it cannot leave the root.
    return confine(this.root, path.normalize(p));
  }

  get etcBelay(): string {
    return this.host('/etc/belay');
  }
  get varLibBelay(): string {
    return this.host('/var/lib/belay');
  }
  get manifestsDir(): string {
    return this.host('/etc/kubernetes/manifests');
  }
  get logDir(): string {
    return this.host('/var/log/belay');
  }
}

/** Joins `rel` under `dir`, refusing anything (.., absolute tricks) that would leave it. */
export function confine(dir: string, rel: string): string {
  const base = path.resolve(dir);
  const joined = path.resolve(base, '.' + path.sep + rel);
  if (joined !== base && !joined.startsWith(base === path.sep ? base : base + path.sep)) {
    throw new OperatorError({ code: 'PATH_ESCAPES_ROOT', message: `path ${rel} leaves ${base}`, hint: 'remove ".." from the path' });
  }
  return joined;
}
