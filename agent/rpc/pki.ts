import type { Logger } from '../../proto/common/log.js';
import type { HostPaths } from '../../proto/common/paths.js';
import { unary } from '../../proto/common/handlers.js';
import type { AgentHandlers } from '../../proto/gen/belay/v1/Agent.js';
import type { WritePkiResponse } from '../../proto/gen/belay/v1/WritePkiResponse.js';
import { pkiWriter } from '../pki/write.js';
import type { RaisedEvent } from '../report/events.js';
import type { TermFence } from './fencing.js';

type PkiHandlers = Pick<AgentHandlers, 'WritePki'>;

/** WritePki (pki/write.ts): fenced by term, then written whole or not at all; PkiWritten names the paths, never contents. */
export function pkiHandlers(d: { node: string; paths: HostPaths; fence: TermFence; log: Logger; raise(e: RaisedEvent): void }): PkiHandlers {
  const write = pkiWriter(d);
  return {
    WritePki: unary(d, 'WritePki', async (req): Promise<WritePkiResponse> => {
      const { files, requestedBy, term, dir } = req;
      const by = requestedBy || 'someone';
      await d.fence.admit(term, { method: 'WritePki', by });
      const { written, planned } = await write({ dir, files, by });
      if (written.length > 0) {
        d.raise({
          kind: 'PkiWritten',
          severity: 'info',
          message: `wrote ${written.length} PKI file(s) for ${by}`,
          fields: { paths: written.join(','), requestedBy: by, term },
        });
      } else {
        d.log.info('pki unchanged', { paths: planned, by });
      }
      return { written };
    }),
  };
}
