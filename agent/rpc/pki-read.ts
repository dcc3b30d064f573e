import type { Logger } from '../../proto/common/log.js';
import type { HostPaths } from '../../proto/common/paths.js';
import { unary } from '../../proto/common/handlers.js';
import type { AgentHandlers } from '../../proto/gen/belay/v1/Agent.js';
import { KUBERNETES_DIR, readPublicPki } from '../pki/read-public.js';

type PkiReadHandlers = Pick<AgentHandlers, 'ReadPki'>;

/** ReadPki: the public side of this master's PKI (pki/read-public.ts). Reads only: not fenced. */
export function pkiReadHandlers(d: { node: string; paths: HostPaths; log: Logger }): PkiReadHandlers {
  return {
    ReadPki: unary(d, 'ReadPki', async () => {
      const files = await readPublicPki(d.paths.host(KUBERNETES_DIR));
      d.log.debug('pki read', { files: files.length, unreadable: files.filter((f) => f.error).map((f) => f.path) });
      return { files };
    }),
  };
}
