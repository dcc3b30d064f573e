import fs from 'node:fs';
import path from 'node:path';
import { errorText } from '../../proto/common/errors.js';
import type { Logger } from '../../proto/common/log.js';

/**
 * Size-based rotation of the logs the agent's children write (services and
 * host-runtime pods), as kubelet rotates container logs. A child writes its
 * log file directly (O_APPEND), so that it keeps logging while the agent
 * restarts; rotation is therefore copytruncate: FILE is copied to FILE.1
 * (older ones shift up, the oldest is dropped) and FILE truncated to 0. The
 * child's next write lands at the new end. Lines written in the instant
 * between the copy and the truncate can be lost, as with logrotate's
 * copytruncate; the copy reads up to the size at truncate time to keep that
 * window to one read.
 */
export const LOG_ROTATION_DEFAULTS = {
  /** A log over this size is rotated, bytes (kubelet's containerLogMaxSize: 10Mi). */
  maxBytes: 10 * 1024 * 1024,
  /** Files kept per log, the live one included (kubelet's containerLogMaxFiles: 5). */
  maxFiles: 5,
  /** How often the log dirs are looked at, ms. A log can overshoot maxBytes by what is written in this time. */
  checkIntervalMs: 10_000,
} as const;

export interface LogRotationConfig {
  maxBytes: number;
  maxFiles: number;
  checkIntervalMs: number;
}

/** Rotates `file` if it is larger than maxBytes; returns whether it did. */
export function rotateIfLarger(file: string, cfg: Pick<LogRotationConfig, 'maxBytes' | 'maxFiles'>): boolean {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return false;
  }
  if (size <= cfg.maxBytes) return false;
  const keep = Math.max(1, cfg.maxFiles - 1);
  fs.rmSync(`${file}.${keep}`, { force: true });
  for (let i = keep - 1; i >= 1; i--) {
    if (fs.existsSync(`${file}.${i}`)) fs.renameSync(`${file}.${i}`, `${file}.${i + 1}`);
  }
  if (cfg.maxFiles <= 1) {
    fs.truncateSync(file, 0);
    return true;
  }
  const fd = fs.openSync(file, 'r+');
  try {
    const out = fs.openSync(`${file}.1`, 'w', 0o640);
    try {
      const buf = Buffer.allocUnsafe(1024 * 1024);
      let pos = 0;
      for (;;) {
        const n = fs.readSync(fd, buf, 0, buf.length, pos);
        if (n === 0) break;
        fs.writeSync(out, buf, 0, n);
        pos += n;
      }
      fs.ftruncateSync(fd, 0);
    } finally {
      fs.closeSync(out);
    }
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/** Looks at every `*.log` in `dirs` every checkIntervalMs and rotates the large ones. */
export class LogRotator {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly d: { dirs: string[]; cfg: LogRotationConfig; log: Logger }) {}

  start(): void {
    this.timer = setInterval(() => this.runOnce(), this.d.cfg.checkIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  runOnce(): string[] {
    const rotated: string[] = [];
    for (const dir of this.d.dirs) {
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch {
        continue; // not made yet: nothing logged there
      }
      for (const name of names) {
        if (!name.endsWith('.log')) continue;
        const file = path.join(dir, name);
        try {
          if (rotateIfLarger(file, this.d.cfg)) rotated.push(file);
        } catch (err) {
          this.d.log.warn('log rotation failed', { path: file, err: errorText(err) });
        }
      }
    }
    if (rotated.length > 0) this.d.log.debug('logs rotated', { paths: rotated });
    return rotated;
  }
}
