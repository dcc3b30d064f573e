import { belayProto, channelOptions, clientCredentials, type TlsMaterial } from '../../proto/common/grpc.js';
import type { AgentClient } from '../../proto/gen/belay/v1/Agent.js';

/** One gRPC client per known master's agent, made on first use; the coordinator calls as its own master (its certificate). */
export class AgentClients {
  private readonly clients = new Map<string, AgentClient>();

  constructor(
    private readonly nodes: readonly { name: string; address: string }[],
    private readonly port: number,
    private readonly tls: TlsMaterial | 'insecure',
    private readonly maxMessageBytes: number,
  ) {}

  /** `address`: where the spec puts a master this coordinator's config does not list. */
  get(node: string, address?: string): AgentClient | undefined {
    const have = this.clients.get(node);
    if (have) return have;
    const n = this.nodes.find((x) => x.name === node) ?? (address ? { name: node, address } : undefined);
    if (!n) return undefined;
    const host = n.address.includes(':') ? `[${n.address}]` : n.address;
    const Client = belayProto().belay.v1.Agent;
    const c = new Client(`${host}:${this.port}`, clientCredentials(this.tls), channelOptions(this.maxMessageBytes));
    this.clients.set(node, c);
    return c;
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
