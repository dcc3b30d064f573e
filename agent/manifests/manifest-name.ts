/**
 * Which file names in the static pod manifests dir the agent counts as
 * manifests, and which it will write on an apply request. Pure.
 */
import { codePoint, quote, utf8ByteLength } from './problems.js';

/** Longest file name on Linux filesystems (NAME_MAX), in bytes. */
const MAX_FILE_NAME_BYTES = 255;

const MANIFEST_EXTENSION = /\.(ya?ml|json)$/i;
const EDITOR_LEFTOVER = /(~|\.swp|\.swo|\.swx|\.tmp|\.bak|\.orig|\.dpkg-[a-z]+|\.rpm[a-z]+)$|^#.*#$/i;
// eslint-disable-next-line no-control-regex
const CONTROL_CHAR = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Whether the agent counts the file as a manifest. kubelet itself reads every
 * file not starting with a dot, so an editor leftover beside a manifest
 * (etcd.yaml~, #etcd.yaml#) runs as a second copy of its pod: worth seeing in
 * a listing of the directory, never worth managing.
 */
export function isManifestFileName(name: string): boolean {
  return (
    name.length > 0 &&
    !name.includes('/') &&
    !name.includes('\0') &&
    !name.startsWith('.') &&
    !EDITOR_LEFTOVER.test(name) &&
    MANIFEST_EXTENSION.test(name) &&
    utf8ByteLength(name) <= MAX_FILE_NAME_BYTES
  );
}

/** For apply requests: a name the agent will write into the manifests dir, with the reason when it will not. */
export function validManifestName(name: string): { ok: true } | { ok: false; reason: string } {
  const reason = fileNameProblem(name);
  return reason === null ? { ok: true } : { ok: false, reason };
}

function fileNameProblem(name: string): string | null {
  const quoted = quote(name);
  const example = 'like etcd.yaml';
  if (name.length === 0) return `file name is empty: give a plain file name in the manifests dir, ${example}`;
  const control = CONTROL_CHAR.exec(name);
  if (control) return `file name ${quoted} contains the control character ${codePoint(control[0])}: use letters, digits, '-', '_' and '.'`;
  if (name.startsWith('/')) return `file name ${quoted} is an absolute path: give a plain file name in the manifests dir, ${example}`;
  if (name.includes('/') || name.includes('\\') || name.includes('..')) {
    return `file name ${quoted} must be a plain file name in the manifests dir, ${example}`;
  }
  if (name !== name.trim()) return `file name ${quoted} starts or ends with a space: name it ${example}`;
  if (name.startsWith('.')) return `file name ${quoted} starts with a dot: kubelet skips hidden files, so it would never run; name it ${example}`;
  if (EDITOR_LEFTOVER.test(name)) return `file name ${quoted} looks like an editor or package-manager leftover, not a manifest: name it ${example}`;
  if (!MANIFEST_EXTENSION.test(name)) return `file name ${quoted} must end in .yaml, .yml or .json, ${example}`;
  const bytes = utf8ByteLength(name);
  if (bytes > MAX_FILE_NAME_BYTES) return `file name is ${bytes} bytes long; at most ${MAX_FILE_NAME_BYTES}: shorten it`;
  return null;
}
