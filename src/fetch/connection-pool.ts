import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";

export interface PoolOptions {
  /**
   * How long an idle connection is kept. Long enough for the next source on
   * the same host in a cycle, or the next hop of a redirect, to reuse it; far
   * shorter than a schedule's minutes, since servers drop idle connections
   * after 5 s (Node, Apache) to 75 s (nginx) anyway and a socket closed by
   * the server while we reuse it costs a retry.
   */
  idleMs?: number;
  /** Connections open at once to one host (per scheme and address policy). */
  maxSocketsPerHost?: number;
}

type Policy = ((address: string) => boolean) | undefined;

/**
 * Keep-alive agents for the life of a process, so a conditional GET to a host
 * already talked to skips the TCP (and TLS) handshake.
 *
 * SSRF: each agent is built for one address policy and checks every address
 * it connects to with that policy's lookup, so a pooled socket was checked
 * when it was opened and is never handed to a request under another policy
 * (a source marked local cannot open a socket that a public source then
 * reuses). Agents key their sockets by host and port (Node's Agent#getName),
 * so a socket to one host is never used for another.
 */
export class ConnectionPool {
  private readonly agents = new Map<Policy, { http: http.Agent; https: https.Agent }>();
  private readonly idleMs: number;
  private readonly maxSockets: number;
  private closed = false;

  constructor(options: PoolOptions = {}) {
    this.idleMs = options.idleMs ?? 15_000;
    this.maxSockets = options.maxSocketsPerHost ?? 4;
  }

  /** The agent for one scheme under one address policy; undefined once closed (requests then use a connection of their own). */
  agentFor(protocol: string, policy: Policy, lookup: LookupFunction): http.Agent | undefined {
    if (this.closed) return undefined;
    let pair = this.agents.get(policy);
    if (pair === undefined) {
      const options = {
        keepAlive: true,
        maxSockets: this.maxSockets,
        maxFreeSockets: this.maxSockets,
        timeout: this.idleMs,
        scheduling: "lifo" as const,
        lookup,
      };
      pair = { http: new http.Agent(options), https: new https.Agent(options) };
      this.agents.set(policy, pair);
    }
    return protocol === "https:" ? pair.https : pair.http;
  }

  /** Closes every pooled connection; idle ones never hold the process open, but a server waiting for them to close would wait. */
  close(): void {
    this.closed = true;
    for (const pair of this.agents.values()) {
      pair.http.destroy();
      pair.https.destroy();
    }
    this.agents.clear();
  }
}
