import { belayProto, channelOptions, clientCredentials, type TlsMaterial } from '../../proto/common/grpc.js';
import type { AgentClient } from '../../proto/gen/belay/v1/Agent.js';
import { agentApi, type AgentApi } from './client.js';

/** One gRPC client per known master's agent, made on first use; the coordinator calls as its own master (its certificate). */
export class AgentClients {
  private readonly clients = new Map<string, { client: AgentClient; api: AgentApi }>();

  constructor(
    private readonly nodes: readonly { name: string; address: string }[],
    private readonly port: number,
    private readonly tls: TlsMaterial | 'insecure',
    private readonly maxMessageBytes: number,
  ) {}

  /** The agent of `node`, or undefined for a master nobody knows. `address`: where the spec puts a master this coordinator's config does not list. */
  of(node: string, address?: string): AgentApi | undefined {
    const have = this.clients.get(node);
    if (have) return have.api;
    const n = this.nodes.find((x) => x.name === node) ?? (address ? { name: node, address } : undefined);
    if (!n) return undefined;
    const host = n.address.includes(':') ? `[${n.address}]` : n.address;
    const Client = belayProto().belay.v1.Agent;
    const client = new Client(`${host}:${this.port}`, clientCredentials(this.tls), channelOptions(this.maxMessageBytes));
    const api = agentApi(client, node);
    this.clients.set(node, { client, api });
    return api;
  }

  close(): void {
    for (const c of this.clients.values()) c.client.close();
    this.clients.clear();
  }
}
