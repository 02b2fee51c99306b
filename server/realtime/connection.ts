import type { RawData, WebSocket } from 'ws';
import type { Claims } from '../db.ts';
import { channelPermissions, type ChannelPermissions } from './authorization.ts';
import { compileBindings } from './changes/bindings.ts';
import { syncCapture } from './changes/capture.ts';
import { ChannelMember, type ChannelPush, type ChannelSocket } from './channel.ts';
import { CLOSE } from './close-codes.ts';
import type { RealtimeEnv } from './env.ts';
import { decodeBinary, decodeText, encodeText, FrameError, type InboundFrame, type Vsn } from './frames.ts';
import { readJoinRequest } from './join.ts';
import { addressShare, RateWindow, TokenBucket } from './limits.ts';
import { reasons } from './reasons.ts';
import type { DropReason } from './stats.ts';
import { checkToken, FAILURE_CODES } from './token.ts';
import type { WriteBatch } from './write-batch.ts';

/**
 * One client WebSocket: decodes frames, answers heartbeats, routes pushes to the joined
 * channels by topic, enforces the per-connection limits and the server's concurrent-user cap,
 * and closes idle sockets and sockets that hold no channel. Frames
 * are handled one at a time in arrival order, even when a join has to ask the database.
 */
export class RealtimeConnection implements ChannelSocket {
  private readonly channels = new Map<string, ChannelMember>();
  private queue: Promise<void> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;
  private noChannelTimer: NodeJS.Timeout | undefined;
  private readonly events: TokenBucket;
  private readonly joins: RateWindow;
  private readonly presenceEvents: RateWindow;
  private closed = false;

  constructor(
    private readonly env: RealtimeEnv,
    private readonly ws: WebSocket,
    readonly vsn: Vsn,
    private readonly apiKeyClaims: Claims,
    private readonly writes: WriteBatch,
    /** The client's address (`addressKey`), which its share of the user cap is counted by. */
    readonly address: string,
  ) {
    this.events = new TokenBucket(env.limits.maxEventsPerSecond);
    this.joins = new RateWindow(env.limits.maxJoinsPerSecond);
    this.presenceEvents = new RateWindow(env.limits.maxPresenceEventsPerSecond);
    env.hub.stats.connectionsTotal++;
    env.hub.connections.add(this);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => this.teardown());
    ws.on('error', (error) => {
      // `ws` refuses a frame over `maxPayload` itself (closing with 1009): count it like any other drop.
      if ((error as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') env.hub.stats.drop('too_large');
      this.teardown();
    });
    this.touch();
    this.awaitChannel();
  }

  get channelCount(): number {
    return this.channels.size;
  }

  send(topic: string, event: string, payload: unknown, refs: { joinRef?: string | null; ref?: string | null } = {}, onWritten?: () => void): void {
    this.sendFrame(encodeText({ joinRef: refs.joinRef ?? null, ref: refs.ref ?? null, topic, event, payload }, this.vsn), onWritten);
    this.env.hub.stats.messagesOut.add();
  }

  /** Sends one frame; `onWritten` runs once it has left this process's buffers for the kernel's. */
  sendFrame(frame: string | Uint8Array, onWritten?: () => void): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.writes.hold();
    this.ws.send(frame, { binary: typeof frame !== 'string' }, onWritten && ((error) => error || onWritten()));
    if (this.ws.bufferedAmount > this.env.limits.maxBufferedBytes) this.dropSlowConsumer();
  }

  /**
   * A client that stopped reading: its close frame would wait behind everything it has not
   * read, so the socket is destroyed at once and what it held is freed.
   */
  private dropSlowConsumer(): void {
    this.env.hub.stats.slowConsumersClosed++;
    console.warn(`[flock] realtime: closing a socket holding ${this.ws.bufferedAmount} unread bytes (limit ${this.env.limits.maxBufferedBytes})`);
    this.teardown();
    this.ws.terminate();
  }

  detach(member: ChannelMember): void {
    if (this.channels.get(member.topic) === member) this.channels.delete(member.topic);
    if (this.channels.size === 0) this.awaitChannel();
  }

  /** Closes the socket with a code and a reason the client can read. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.close(code, reason.slice(0, 120));
    this.teardown();
  }

  /**
   * Restarts the idle timer: the client was heard from and is reading. What a client sends only
   * counts while nothing sent to it waits unread in this process (`bufferedAmount` 0); a heartbeat
   * reply counts once it has been written out (`onWritten`), that is once the client has read
   * what came before it far enough for the kernel to take it. So a socket that keeps sending
   * but never reads idles out instead of living on its own heartbeats (while backpressure only
   * catches it once it holds `maxBufferedBytes`).
   */
  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.idleOut(), this.env.limits.idleTimeoutMs);
    this.idleTimer.unref();
  }

  /** A close handshake would wait behind unread frames: a socket that holds some is destroyed. */
  private idleOut(): void {
    this.env.hub.stats.idleClosed++;
    if (this.ws.bufferedAmount === 0) return this.close(CLOSE.idle, 'heartbeat timeout');
    this.teardown();
    this.ws.terminate();
  }

  /**
   * Closes the socket once it has held no channel for `noChannelTimeoutMs`, freeing its user
   * slot. Realtime's `Tracker` kills such sockets (only those that joined once; a socket that
   * never joins is bounded here too, so it cannot sit outside the cap forever by heartbeating).
   * supabase-js itself disconnects 50 s after its last channel, well inside the default 10 min.
   */
  private awaitChannel(): void {
    clearTimeout(this.noChannelTimer);
    if (this.closed) return;
    this.noChannelTimer = setTimeout(() => this.close(CLOSE.idle, 'no channel joined'), this.env.limits.noChannelTimeoutMs);
    this.noChannelTimer.unref();
  }

  /**
   * Realtime's `limit_max_users`: a socket already counted may join more; another, only below
   * the cap, and below its address's share of it (`addressSharePercent`, Flock's own).
   */
  private mayCountAsUser(): boolean {
    const { hub, limits } = this.env;
    if (hub.users.has(this)) return true;
    return hub.users.size < limits.maxConcurrentUsers && hub.usersFrom(this.address) < addressShare(limits.maxConcurrentUsers, limits.addressSharePercent);
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.noChannelTimer);
    for (const member of [...this.channels.values()]) member.close();
    this.env.hub.connections.delete(this);
    this.env.hub.users.delete(this);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    if (this.ws.bufferedAmount === 0) this.touch();
    this.env.hub.stats.messagesIn.add();
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    let frame: InboundFrame;
    try {
      if (isBinary) {
        if (this.vsn !== '2.0.0') throw new FrameError('binary frames need vsn 2.0.0');
        frame = decodeBinary(bytes);
      } else {
        frame = decodeText(bytes.toString('utf8'), this.vsn);
      }
    } catch (error) {
      this.env.hub.stats.drop('malformed');
      this.close(CLOSE.invalidFrame, `invalid frame: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    this.queue = this.queue.then(() => this.route(frame, bytes.length)).catch((error: unknown) => {
      console.error('[flock] realtime: frame handling failed:', error);
    });
  }

  private replyTo(frame: InboundFrame, status: 'ok' | 'error', response: unknown, onWritten?: () => void): void {
    if (frame.ref === null) return;
    this.send(frame.topic, 'phx_reply', { status, response }, { joinRef: frame.joinRef, ref: frame.ref }, onWritten);
  }

  private async route(frame: InboundFrame, bytes: number): Promise<void> {
    if (this.closed) return;
    if (frame.kind === 'message' && frame.topic === 'phoenix' && frame.event === 'heartbeat') {
      this.replyTo(frame, 'ok', {}, () => this.closed || this.touch());
      return;
    }
    if (frame.kind === 'message' && frame.event === 'phx_join') {
      try {
        await this.join(frame);
      } catch (error) {
        // Phoenix's answer when a join raises; the client retries the join with backoff.
        console.error('[flock] realtime: join failed:', error);
        this.replyTo(frame, 'error', { reason: 'join crashed' });
      }
      return;
    }
    const member = this.channels.get(frame.topic);
    if (!member && frame.kind === 'message' && frame.event === 'phx_leave') {
      // Phoenix's socket.ex answers a leave for a topic it has no channel for with ok {}: leaving
      // what is already gone succeeds (handle_in(nil, %{event: "phx_leave"}, ...)).
      this.replyTo(frame, 'ok', {});
      return;
    }
    if (!member || (frame.joinRef !== null && frame.joinRef !== member.joinRef)) {
      this.env.hub.stats.drop('unmatched_topic');
      this.replyTo(frame, 'error', { reason: reasons.unmatchedTopic });
      return;
    }
    const push: ChannelPush =
      frame.kind === 'broadcast'
        ? { event: 'broadcast', ref: frame.ref, payload: undefined, broadcast: { event: frame.event, body: frame.body }, bytes }
        : { event: frame.event, ref: frame.ref, payload: frame.payload, bytes };
    // Over a rate limit, Realtime shuts the channel down: a `system` error, then `phx_close`.
    if (push.event !== 'access_token' && push.event !== 'phx_leave' && !this.events.take()) {
      this.env.hub.stats.drop('rate_limited');
      member.fail(reasons.tooManyMessages);
      return;
    }
    if (push.event === 'presence' && !this.presenceEvents.take()) {
      this.env.hub.stats.drop('rate_limited');
      member.fail(reasons.tooManyPresenceMessages);
      return;
    }
    await member.handle(push);
  }

  private async join(frame: Extract<InboundFrame, { kind: 'message' }>): Promise<void> {
    const refuse = (reason: string, why: DropReason): void => {
      this.env.hub.stats.drop(why);
      this.replyTo(frame, 'error', { reason });
    };
    if (!this.joins.take()) {
      // Realtime refuses the join and disconnects the whole socket.
      this.env.hub.stats.drop('rate_limited');
      this.replyTo(frame, 'error', { reason: reasons.tooManyJoins });
      this.close(CLOSE.goingAway, 'Too many joins per second');
      return;
    }
    if (!frame.topic.startsWith('realtime:') || frame.topic === 'realtime:') {
      return refuse(frame.topic.startsWith('realtime:') ? reasons.topicRequired : reasons.unmatchedTopic, 'invalid');
    }
    // Refused with a reply; the socket stays open, and supabase-js retries the join (1, 2, 5, 10 s).
    if (!this.mayCountAsUser()) return refuse(reasons.tooManyUsers, 'rate_limited');
    const request = readJoinRequest(frame.payload);
    const previous = this.channels.get(frame.topic);
    if (!previous && this.channels.size >= this.env.limits.maxChannelsPerClient) {
      this.env.hub.stats.drop('rate_limited');
      this.replyTo(frame, 'error', { reason: reasons.tooManyChannels });
      return;
    }

    let claims = this.apiKeyClaims;
    if (request.accessToken) {
      const check = await checkToken(request.accessToken, this.env.signer);
      if (!check.ok) return refuse(`${FAILURE_CODES[check.failure.kind]}: ${check.failure.message}`, 'unauthorized');
      claims = check.claims;
    }
    const subTopic = frame.topic.slice('realtime:'.length);
    let permissions: ChannelPermissions | undefined;
    if (request.private) {
      permissions = await channelPermissions(this.env.db, subTopic, claims);
      if (!permissions.readBroadcast && !permissions.readPresence) return refuse(reasons.cannotRead(subTopic), 'unauthorized');
    }
    const bindings = await compileBindings(this.env.db, request.postgresChanges, claims.role);
    if (bindings.active.length) await syncCapture(this.env.db);
    if (this.closed) return;
    // Again, now that the awaits are over: other sockets may have taken the last slots meanwhile.
    if (!this.mayCountAsUser()) return refuse(reasons.tooManyUsers, 'rate_limited');

    // A second join of a joined topic replaces the first, as Phoenix does: the old one is closed.
    if (previous) {
      previous.sendClose();
      previous.close();
    }
    const member = new ChannelMember(
      this.env, this, frame.topic, frame.joinRef ?? frame.ref, request, claims, request.accessToken, bindings.active, permissions,
    );
    this.channels.set(frame.topic, member);
    clearTimeout(this.noChannelTimer);
    this.env.hub.users.set(this, this.address);
    this.env.hub.add(member);
    this.replyTo(frame, 'ok', { postgres_changes: bindings.reply });
    member.welcome(bindings.error);
  }
}
