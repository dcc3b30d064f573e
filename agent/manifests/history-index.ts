import { OperatorError } from '../../proto/common/errors.js';

/**
 * The kept versions of one manifest, as the store's `index.json` lists them
 * (newest first), and the choice of one to roll back to. Pure.
 */

export interface Version {
  sha256: string;
  savedAtMs: number;
  reason: 'replaced' | 'removed';
  sizeBytes: number;
}

export interface IndexEntry extends Version {
  /** The version's file in the history dir of its manifest. */
  name: string;
}

/** The entries of an index file's text that name a version file; throws when the text is no index at all. */
export function parseIndex(text: string, file: string, p: string): IndexEntry[] {
  const idx = parseJson(text) as { versions?: unknown } | undefined;
  if (!idx || !Array.isArray(idx.versions)) {
    throw new OperatorError({
      code: 'MANIFEST_HISTORY_CORRUPT',
      message: `cannot read the kept versions of manifest ${file}: ${p} is not a history index`,
      hint: `look at ${p}; the versions themselves are the *.yaml files beside it`,
    });
  }
  return (idx.versions as Partial<IndexEntry>[]).filter(
    (v): v is IndexEntry =>
      typeof v.name === 'string' &&
      /^\d+-[0-9a-f]{12}\.yaml$/.test(v.name) &&
      typeof v.sha256 === 'string' &&
      typeof v.savedAtMs === 'number' &&
      (v.reason === 'replaced' || v.reason === 'removed') &&
      typeof v.sizeBytes === 'number',
  );
}

/** The newest kept version that differs from the content now (`curSha`), or the one `toSha256` (6 characters at least) names. */
export function pickVersion(file: string, versions: IndexEntry[], curSha: string, toSha256: string | undefined): IndexEntry {
  if (toSha256 === undefined || toSha256 === '') {
    const v = versions.find((x) => x.sha256 !== curSha);
    if (!v) {
      throw new OperatorError({
        code: 'MANIFEST_NO_HISTORY',
        message: `cannot roll back manifest ${file}: every kept version (${versions.length}) is the content on disk now (sha256 ${curSha})`,
        hint: 'belayctl manifests history shows the kept versions',
      });
    }
    return v;
  }
  const want = toSha256.toLowerCase();
  const matches = new Set(versions.filter((x) => (want.length >= 6 ? x.sha256.startsWith(want) : false)).map((x) => x.sha256));
  const [only, ...more] = [...matches];
  if (only === undefined || more.length > 0) {
    throw new OperatorError({
      code: 'MANIFEST_VERSION_NOT_FOUND',
      message: `cannot roll back manifest ${file} to ${toSha256}: ${only === undefined ? 'no kept version has that sha256' : `${matches.size} kept versions start with it`}`,
      hint: `give more of the sha256 (6 characters at least); kept: ${versions.map((x) => x.sha256.slice(0, 12)).join(', ')}`,
    });
  }
  const v = versions.find((x) => x.sha256 === only);
  if (!v) throw new Error('unreachable: matched sha not in versions');
  return v;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
