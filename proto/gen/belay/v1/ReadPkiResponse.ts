// Original file: proto/belay/v1/agent.proto

import type { PkiPublicFile as _belay_v1_PkiPublicFile, PkiPublicFile__Output as _belay_v1_PkiPublicFile__Output } from '../../belay/v1/PkiPublicFile.js';

export interface ReadPkiResponse {
  'files'?: (_belay_v1_PkiPublicFile)[];
}

export interface ReadPkiResponse__Output {
  'files': (_belay_v1_PkiPublicFile__Output)[];
}
