// The gossip keyring: the AES-256-GCM keys (seal.ts) that authenticate and
// encrypt gossip between coordinators. One primary key seals what we send;
// every installed key may open what we receive, so that a key can be rotated
// without a flag day (serf/memberlist do the same):
//   1. install the new key everywhere   (everyone opens both)
//   2. use it everywhere                (everyone seals with the new one)
//   3. remove the old key everywhere.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { OperatorError } from '../../proto/common/errors.js';
import type { Logger } from '../../proto/common/log.js';

/** AES-256: 32 bytes. */
export const GOSSIP_KEY_BYTES = 32;

/** Each key costs one GCM attempt per received packet that no earlier key opens (a forged one: all of them). */
export const MAX_GOSSIP_KEYS = 16;

const GENERATE_HINT = 'generate one with `openssl rand -base64 32`';

/** A fresh random key. */
export function generateKey(): Buffer {
  return crypto.randomBytes(GOSSIP_KEY_BYTES);
}

/** A key as shown to operators and stored in the keyring file. */
export function formatKey(key: Uint8Array): string {
  return Buffer.from(key).toString('base64');
}

/** What logs and `belayctl gossip keys list` show for a key: never the key itself. */
export function fingerprint(key: Uint8Array): string {
  return crypto.createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** Parses a base64 key (standard alphabet, surrounding whitespace ignored). `field` names where it came from. */
export function parseKey(text: string, field = 'key'): Buffer {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 !== 0) {
    throw new OperatorError({ code: 'GOSSIP_KEY_INVALID', message: `${field}: not base64 (${t.length} characters)`, hint: GENERATE_HINT });
  }
  const key = Buffer.from(t, 'base64');
  if (key.length !== GOSSIP_KEY_BYTES) {
    throw new OperatorError({
      code: 'GOSSIP_KEY_INVALID',
      message: `${field}: decodes to ${key.length} bytes, a gossip key is ${GOSSIP_KEY_BYTES}`,
      hint: GENERATE_HINT,
    });
  }
  return key;
}

export interface KeyringEntry {
  /** base64: secret, for belayctl output only, never for logs. */
  key: string;
  fingerprint: string;
  primary: boolean;
}

/** The keyring file: base64 keys; `keys` may omit the primary (it is installed by definition). */
interface KeyringFile {
  primary: string;
  keys: string[];
}

/**
 * The keys this node holds. Mutated in place: a GossipSocket holding the
 * keyring sees install/use/remove at its next packet. Persist with save().
 */
export class Keyring {
  /** Primary first, then the others in install order. */
  private ring: Buffer[];

  constructor(primary: Uint8Array, others: readonly Uint8Array[] = []) {
    this.ring = [copyKey(primary, 'primary')];
    for (const [i, k] of others.entries()) this.install(copyKey(k, `others[${i}]`));
  }

  get primary(): Buffer {
    // The constructor puts one key in and remove() never takes the primary out.
    return this.ring[0] as Buffer;
  }

  /** Every installed key, primary first: the order open() tries them. Do not mutate. */
  keys(): readonly Buffer[] {
    return this.ring;
  }

  has(key: Uint8Array): boolean {
    return this.ring.some((k) => k.equals(key));
  }

  /** Installs a key so that packets sealed with it open here. Idempotent: false if it was already installed. */
  install(key: Uint8Array): boolean {
    if (this.has(key)) return false;
    if (this.ring.length >= MAX_GOSSIP_KEYS) {
      throw new OperatorError({
        code: 'GOSSIP_KEYRING_FULL',
        message: `cannot install gossip key ${fingerprint(key)}: the keyring already holds ${this.ring.length} keys, at most ${MAX_GOSSIP_KEYS}`,
        hint: 'remove keys no coordinator uses any more (`belayctl gossip keys list`, then `belayctl gossip keys remove`)',
      });
    }
    this.ring.push(copyKey(key, 'key'));
    return true;
  }

  /** Makes an installed key the primary: what we send is sealed with it from now on. */
  use(key: Uint8Array): void {
    const i = this.ring.findIndex((k) => k.equals(key));
    const found = this.ring[i];
    if (found === undefined) {
      throw new OperatorError({
        code: 'GOSSIP_KEY_NOT_INSTALLED',
        message: `cannot use gossip key ${fingerprint(key)}: it is not installed`,
        hint: 'install it on every coordinator first (`belayctl gossip keys install`), so that they can open what this one seals',
      });
    }
    this.ring = [found, ...this.ring.filter((_, j) => j !== i)];
  }

  /** Removes a key; false if it was not installed. The primary cannot be removed. */
  remove(key: Uint8Array): boolean {
    if (this.primary.equals(key)) {
      throw new OperatorError({
        code: 'GOSSIP_KEY_IS_PRIMARY',
        message: `cannot remove the primary gossip key (${fingerprint(key)}); \`belayctl gossip keys use\` another key first`,
        hint: 'install the new key on every coordinator, `belayctl gossip keys use` it, then remove this one',
      });
    }
    const before = this.ring.length;
    this.ring = this.ring.filter((k) => !k.equals(key));
    return this.ring.length !== before;
  }

  list(): KeyringEntry[] {
    return this.ring.map((k, i) => ({ key: formatKey(k), fingerprint: fingerprint(k), primary: i === 0 }));
  }

  /**
   * Reads a keyring file. A file group or others can read or write is loaded
   * with a warning, not refused: the mode can only have been loosened by hand
   * (save() writes 0600), and refusing would cut this coordinator out of the
   * cluster at its next restart over something a chmod fixes.
   */
  static async load(file: string, log: Logger): Promise<Keyring> {
    let text: string;
    let mode: number;
    try {
      const fh = await fs.open(file, 'r');
      try {
        mode = (await fh.stat()).mode & 0o777;
        text = await fh.readFile('utf8');
      } finally {
        await fh.close();
      }
    } catch (cause) {
      const why = (cause as NodeJS.ErrnoException).code ?? String(cause);
      throw new OperatorError({
        code: 'GOSSIP_KEYRING_UNREADABLE',
        message: `cannot read the gossip keyring ${file} (${why})`,
        hint:
          why === 'ENOENT'
            ? "copy the keyring file from another coordinator (mode 0600): every coordinator needs the cluster's gossip key"
            : `check the file and its permissions (ls -l ${file})`,
        cause,
      });
    }
    if ((mode & 0o077) !== 0) {
      log.warn('gossip keyring readable by others', { path: file, mode: `0${mode.toString(8)}`, code: 'GOSSIP_KEYRING_MODE', hint: `chmod 600 ${file}` });
    }
    return Keyring.parse(text, file);
  }

  /** The keyring in a keyring file's text; `file` names it in errors. */
  static parse(text: string, file: string): Keyring {
    const invalid = (what: string): OperatorError =>
      new OperatorError({
        code: 'GOSSIP_KEYRING_INVALID',
        message: `gossip keyring ${file}: ${what}`,
        hint: `restore it from another coordinator; it holds {"primary": "<base64>", "keys": ["<base64>", ...]}`,
      });
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw invalid('not JSON');
    }
    if (typeof data !== 'object' || data === null) throw invalid('not a JSON object');
    const { primary, keys } = data as Partial<Record<keyof KeyringFile, unknown>>;
    if (typeof primary !== 'string') throw invalid('"primary" is missing or not a string');
    if (keys !== undefined && (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string'))) throw invalid('"keys" is not a list of strings');
    const parse = (t: string, field: string): Buffer => {
      try {
        return parseKey(t, field);
      } catch (err) {
        throw err instanceof OperatorError ? invalid(err.message) : err;
      }
    };
    const others = (keys ?? []).map((k, i) => parse(k, `keys[${i}]`));
    const ring = new Keyring(parse(primary, 'primary'));
    for (const k of others) ring.install(k);
    return ring;
  }

  /** The keyring file's text. */
  serialize(): string {
    const file: KeyringFile = { primary: formatKey(this.primary), keys: this.ring.map(formatKey) };
    return `${JSON.stringify(file, null, 2)}\n`;
  }

  /**
   * Writes the keyring file atomically with mode 0600: `.name.tmp` beside it
   * (created 0600, so the keys are never readable by others even for a
   * moment), fsync, rename, fsync of the directory. A crash leaves the old
   * file or the new one, never half of one.
   */
  async save(file: string): Promise<void> {
    const dir = path.dirname(file);
    const tmp = path.join(dir, `.${path.basename(file)}.tmp`);
    try {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      await fs.rm(tmp, { force: true });
      const fh = await fs.open(tmp, 'wx', 0o600);
      try {
        // open's mode passes through the umask; set exactly what we mean.
        await fh.chmod(0o600);
        await fh.writeFile(this.serialize());
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.rename(tmp, file);
      const dh = await fs.open(dir, 'r');
      try {
        await dh.sync();
      } finally {
        await dh.close();
      }
    } catch (cause) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw new OperatorError({
        code: 'GOSSIP_KEYRING_WRITE_FAILED',
        message: `cannot write the gossip keyring ${file} (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`,
        hint: `check that ${dir} is writable and its disk has space`,
        cause,
      });
    }
  }
}

function copyKey(key: Uint8Array, field: string): Buffer {
  if (key.length !== GOSSIP_KEY_BYTES) {
    throw new OperatorError({
      code: 'GOSSIP_KEY_INVALID',
      message: `${field}: a gossip key is ${GOSSIP_KEY_BYTES} bytes, got ${key.length}`,
      hint: GENERATE_HINT,
    });
  }
  return Buffer.from(key);
}
