import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { resolveApiKey } from '../auth/request-auth.ts';
import type { ServerContext } from '../context.ts';
import type { Claims } from '../db.ts';
import { ChangeFeed } from './changes/feed.ts';
import { ChannelMember } from './channel.ts';
import { CLOSE } from './close-codes.ts';
import { RealtimeConnection } from './connection.ts';
import type { RealtimeEnv } from './env.ts';
import { VSNS, type Vsn } from './frames.ts';
import { RealtimeHub } from './hub.ts';
import { AddressWindows, addressKey, addressShare, DEFAULT_LIMITS, RateWindow, type RealtimeLimits } from './limits.ts';
import { reasons } from './reasons.ts';
import { WriteBatch } from './write-batch.ts';
import { LoopDelayMeter, type LoopDelayFigures } from '../loop-delay.ts';

const SOCKET_PATH = '/realtime/v1/websocket';

/** What `GET /flock/stats` answers. */
export interface RealtimeSnapshot {
  connections: number;
  connectionsTotal: number;
  /** Sockets counted against `limits.maxConcurrentUsers` (those that have joined a channel). */
  users: number;
  /** Upgrades refused with 429 because the concurrent-user cap was reached. */
  connectionsRefused: number;
  /** Sockets closed because they held more than `maxBufferedBytes` unread. */
  slowConsumersClosed: number;
  /** Sockets closed by the idle timer (`limits.idleTimeoutMs`), readers that stopped reading included. */
  idleClosed: number;
  channels: number;
  topics: number;
  messagesIn: { total: number; perSecond: number };
  messagesOut: { total: number; perSecond: number };
  dropped: Record<string, number>;
  postgresChanges: ChangeFeed['counts'];
  /** How late the event loop ran: the last whole second, and the last two minutes. */
  eventLoopDelayMs: LoopDelayFigures;
  limits: RealtimeLimits;
}

/**
 * The Realtime service: accepts WebSocket upgrades on `/realtime/v1/websocket`, owns the
 * hub (topics, presence) and the change feed, and shuts them down cleanly.
 */
export class RealtimeService {
  readonly env: RealtimeEnv;
  /** Broadcasts over HTTP in the current second, for the whole server (see http-api.ts). */
  readonly httpBroadcasts: RateWindow;
  /** The same per client address, each its `addressSharePercent` of the budget. */
  readonly httpBroadcastsByAddress: AddressWindows;
  private readonly wss: WebSocketServer;
  private readonly loopDelay = new LoopDelayMeter();

  constructor(ctx: ServerContext, limits: Partial<RealtimeLimits> = {}) {
    const hub = new RealtimeHub();
    const feed = new ChangeFeed(ctx.db, () => [...hub.members()].filter((m): m is ChannelMember => m instanceof ChannelMember));
    this.env = { db: ctx.db, signer: ctx.signer, hub, feed, limits: { ...DEFAULT_LIMITS, ...limits } };
    const { maxEventsPerSecond, addressSharePercent } = this.env.limits;
    this.httpBroadcasts = new RateWindow(maxEventsPerSecond);
    this.httpBroadcastsByAddress = new AddressWindows(addressShare(maxEventsPerSecond, addressSharePercent));
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.env.limits.maxFrameBytes });
  }

  async start(): Promise<void> {
    await this.env.feed.start();
  }

  /** Routes the HTTP server's upgrade requests for the Realtime path here. */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.upgrade(request, socket, head);
    });
  }

  snapshot(): RealtimeSnapshot {
    const { hub, feed, limits } = this.env;
    return {
      connections: hub.connections.size,
      connectionsTotal: hub.stats.connectionsTotal,
      users: hub.users.size,
      connectionsRefused: hub.stats.connectionsRefused,
      slowConsumersClosed: hub.stats.slowConsumersClosed,
      idleClosed: hub.stats.idleClosed,
      channels: hub.channelCount,
      topics: hub.topicCount,
      messagesIn: { total: hub.stats.messagesIn.total, perSecond: hub.stats.messagesIn.perSecond() },
      messagesOut: { total: hub.stats.messagesOut.total, perSecond: hub.stats.messagesOut.perSecond() },
      dropped: { ...hub.stats.dropped },
      postgresChanges: { ...feed.counts },
      eventLoopDelayMs: this.loopDelay.figures,
      limits,
    };
  }

  /** Closes every socket (1001, going away) and stops the feed. */
  async close(): Promise<void> {
    this.loopDelay.stop();
    for (const connection of [...this.env.hub.connections]) connection.close(CLOSE.goingAway, 'server shutting down');
    this.wss.close();
    await this.env.feed.stop();
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname.replace(/\/$/, '') !== SOCKET_PATH) return refuse(socket, 404, 'no Route matched with those values');
    const vsn = url.searchParams.get('vsn') ?? '1.0.0';
    if (!VSNS.includes(vsn as Vsn)) return refuse(socket, 400, `unsupported serializer version '${vsn}': use 1.0.0 or 2.0.0`);
    const apikey = url.searchParams.get('apikey') ?? headerOf(request, 'apikey') ?? headerOf(request, 'x-api-key');
    if (!apikey) return refuse(socket, 401, 'API key is missing');
    const auth = await resolveApiKey({ method: 'GET', url, headers: { apikey }, body: Buffer.alloc(0), ip: request.socket.remoteAddress ?? '' }, this.env.signer);
    if (!auth.ok) return refuse(socket, 401, auth.failure.message);
    const claims: Claims = auth.claims;
    // Realtime's `TenantRateLimiters.check_tenant` at connect: only sockets that have joined
    // count, so a full server refuses new sockets, while one opened earlier is refused at join.
    // The same for one address at its share of the cap (Flock's own, see `addressSharePercent`).
    const { hub, limits } = this.env;
    const address = addressKey(request.socket.remoteAddress);
    if (hub.users.size >= limits.maxConcurrentUsers || hub.usersFrom(address) >= addressShare(limits.maxConcurrentUsers, limits.addressSharePercent)) {
      hub.stats.connectionsRefused++;
      return refuse(socket, 429, reasons.tooManyUsersUpgrade);
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      new RealtimeConnection(this.env, ws, vsn as Vsn, claims, new WriteBatch(socket), address);
    });
  }
}

function headerOf(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Answers a refused upgrade with a plain HTTP response, as Realtime does (`{"error": message}`). */
function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 429: 'Too Many Requests' }[status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
