import { randomUUID } from 'node:crypto';
import type { Claims } from '../db.ts';
import { channelPermissions, type ChannelPermissions } from './authorization.ts';
import type { ChangeBinding } from './changes/bindings.ts';
import type { ChangeMessage, ChangeSubscriber } from './changes/types.ts';
import type { RealtimeEnv } from './env.ts';
import type { BroadcastBody, Vsn } from './frames.ts';
import { RealtimeHub, type HubMember } from './hub.ts';
import type { JoinRequest } from './join.ts';
import { RateWindow } from './limits.ts';
import { reasons } from './reasons.ts';
import { checkToken, expiredMessage } from './token.ts';

/** What a channel needs from the socket it lives on. */
export interface ChannelSocket {
  readonly vsn: Vsn;
  send(topic: string, event: string, payload: unknown, refs?: { joinRef?: string | null; ref?: string | null }): void;
  sendFrame(frame: string | Uint8Array): void;
  /** Forgets the channel (after a leave, a close or a fatal error). */
  detach(member: ChannelMember): void;
}

/** An inbound push routed to this channel: its event, payload and ref, and its size on the wire. */
export interface ChannelPush {
  event: string;
  ref: string | null;
  payload: unknown;
  /** Set for binary (kind 3) broadcasts. */
  broadcast?: { event: string; body: BroadcastBody };
  bytes: number;
}

/** setTimeout's longest delay; a token living longer needs no timer this session. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One joined channel on one socket: its config, identity (claims from the join's or a later
 * `access_token`), postgres_changes bindings, and presence key. It handles the pushes for
 * its topic and answers in the shapes realtime-js expects.
 */
export class ChannelMember implements HubMember, ChangeSubscriber {
  readonly subTopic: string;
  readonly room: string;
  readonly presenceKey: string;
  private expiryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly presenceCalls: RateWindow;

  constructor(
    private readonly env: RealtimeEnv,
    private readonly socket: ChannelSocket,
    readonly topic: string,
    readonly joinRef: string | null,
    private readonly request: JoinRequest,
    public claims: Claims,
    private token: string | undefined,
    readonly changeBindings: readonly ChangeBinding[],
    private permissions: ChannelPermissions | undefined,
  ) {
    this.subTopic = topic.slice('realtime:'.length);
    this.room = RealtimeHub.room(topic, request.private);
    this.presenceKey = request.presenceKey || randomUUID();
    this.presenceCalls = new RateWindow(env.limits.maxPresenceCallsPerWindow, env.limits.presenceWindowMs);
    this.scheduleExpiry();
  }

  get vsn(): Vsn {
    return this.socket.vsn;
  }
  get receivesOwnBroadcasts(): boolean {
    return this.request.self;
  }
  get presenceEnabled(): boolean {
    return this.request.presenceEnabled;
  }

  sendFrame(frame: string | Uint8Array): void {
    this.socket.sendFrame(frame);
  }

  deliverChange(payload: ChangeMessage): void {
    this.socket.send(this.topic, 'postgres_changes', payload);
  }

  /** Sends a channel-scoped message (it carries this join's ref, so a later join ignores it). */
  push(event: string, payload: unknown, ref: string | null = null): void {
    this.socket.send(this.topic, event, payload, { joinRef: this.joinRef, ref });
  }

  reply(ref: string | null, status: 'ok' | 'error', response: unknown = {}): void {
    if (ref === null) return;
    this.push('phx_reply', { status, response }, ref);
  }

  /**
   * After the join reply: the postgres_changes outcome (subscribed, or why not) and the
   * presence snapshot the client waits for before it applies diffs.
   */
  welcome(bindingError: string | undefined): void {
    if (bindingError !== undefined) this.system('postgres_changes', 'error', bindingError);
    else if (this.changeBindings.length) this.system('postgres_changes', 'ok', 'Subscribed to PostgreSQL');
    if (this.presenceEnabled) this.push('presence_state', this.env.hub.presence(this.room).state());
  }

  system(extension: string, status: 'ok' | 'error', message: string): void {
    this.push('system', { extension, status, message, channel: this.subTopic });
  }

  async handle(push: ChannelPush): Promise<void> {
    switch (push.event) {
      case 'broadcast':
        return this.onBroadcast(push);
      case 'presence':
        return this.onPresence(push);
      case 'access_token':
        return this.onAccessToken(push);
      case 'phx_leave':
        this.reply(push.ref, 'ok');
        this.close();
        return;
      default:
        this.env.hub.stats.drop('invalid');
        this.reply(push.ref, 'error', { reason: reasons.unknownEvent(push.event) });
    }
  }

  private onBroadcast(push: ChannelPush): void {
    let event: string;
    let body: BroadcastBody;
    if (push.broadcast) {
      ({ event, body } = push.broadcast);
    } else {
      const p = push.payload as Record<string, unknown> | null;
      if (typeof p !== 'object' || p === null || typeof p.event !== 'string') {
        this.env.hub.stats.drop('invalid');
        this.reply(push.ref, 'error', { reason: reasons.malformedBroadcast });
        return;
      }
      event = p.event;
      body = { kind: 'json', value: p.payload };
    }
    if (push.bytes > this.env.limits.maxPayloadBytes) {
      // Realtime drops it, and answers only when the sender asked for an ack.
      this.env.hub.stats.drop('too_large');
      if (this.request.ack) this.reply(push.ref, 'error', reasons.payloadTooLarge);
      return;
    }
    if (this.request.private && !this.permissions?.writeBroadcast) {
      // Realtime drops it silently, even with ack: the sender's push times out.
      this.env.hub.stats.drop('unauthorized');
      return;
    }
    this.env.hub.broadcast(this.room, this.topic, this, event, body);
    if (this.request.ack) this.reply(push.ref, 'ok');
  }

  private onPresence(push: ChannelPush): void {
    const p = push.payload as Record<string, unknown> | null;
    const event = typeof p === 'object' && p !== null && typeof p.event === 'string' ? p.event.toLowerCase() : undefined;
    if (event !== 'track' && event !== 'untrack') {
      this.env.hub.stats.drop('invalid');
      this.reply(push.ref, 'error', { reason: reasons.malformedPresence });
      return;
    }
    if (!this.presenceCalls.take()) {
      this.env.hub.stats.drop('rate_limited');
      this.fail(reasons.presenceCallsExceeded);
      return;
    }
    if (this.request.private && !this.permissions?.writePresence) {
      this.env.hub.stats.drop('unauthorized');
      this.reply(push.ref, 'error', {});
      return;
    }
    const presence = this.env.hub.presence(this.room);
    if (event === 'untrack') {
      const diff = presence.untrack(this);
      if (diff) this.env.hub.sendPresenceDiff(this.room, this.topic, diff);
      this.reply(push.ref, 'ok');
      return;
    }
    const meta = p?.payload ?? {};
    if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
      this.env.hub.stats.drop('invalid');
      this.reply(push.ref, 'error', { reason: reasons.presenceNotAMap });
      return;
    }
    if (push.bytes > this.env.limits.maxPayloadBytes) {
      this.env.hub.stats.drop('too_large');
      this.fail(reasons.trackTooLarge);
      return;
    }
    if (Object.keys(meta).length > this.env.limits.maxPresenceKeysPerObject) {
      this.env.hub.stats.drop('invalid');
      this.reply(push.ref, 'error', { reason: reasons.presenceTooManyKeys(this.env.limits.maxPresenceKeysPerObject) });
      return;
    }
    const diff = presence.track(this, this.presenceKey, meta as Record<string, unknown>);
    if (diff) this.env.hub.sendPresenceDiff(this.room, this.topic, diff);
    this.reply(push.ref, 'ok');
  }

  /**
   * A fresh token from the client (on refresh, or `setAuth`). As in Realtime: no reply;
   * an unchanged token, null, or an opaque `sb_` key is ignored; a token that does not
   * verify, or that loses read access to a private channel, ends the channel.
   */
  private async onAccessToken(push: ChannelPush): Promise<void> {
    const p = push.payload as Record<string, unknown> | null;
    const token = typeof p === 'object' && p !== null ? p.access_token : undefined;
    if (typeof token !== 'string' || token === '' || token === this.token || token.startsWith('sb_')) return;
    const check = await checkToken(token, this.env.signer);
    if (this.closed) return;
    if (!check.ok) {
      this.env.hub.stats.drop('unauthorized');
      this.fail(check.failure.message);
      return;
    }
    this.claims = check.claims;
    this.token = token;
    this.scheduleExpiry();
    if (this.request.private) {
      this.permissions = await channelPermissions(this.env.db, this.subTopic, this.claims);
      if (this.closed) return;
      if (!this.permissions.readBroadcast && !this.permissions.readPresence) this.fail(reasons.lostRead(this.subTopic));
    }
  }

  /** Ends the channel for a reason the client should see: a `system` error, then `phx_close`. */
  fail(message: string): void {
    if (this.closed) return;
    this.system('system', 'error', message);
    this.sendClose();
    this.close();
  }

  /** `phx_close` as Phoenix sends it (`encode_close`): the join ref as both refs. */
  sendClose(): void {
    this.push('phx_close', {}, this.joinRef);
  }

  /** Leaves the topic: presence removed (others get the leave), timers stopped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.expiryTimer);
    this.env.hub.remove(this);
    this.socket.detach(this);
  }

  private scheduleExpiry(): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    const exp = this.claims.exp;
    if (typeof exp !== 'number') return;
    const ms = exp * 1000 - Date.now();
    if (ms > MAX_TIMER_MS) return;
    this.expiryTimer = setTimeout(() => this.fail(expiredMessage(exp)), Math.max(0, ms));
    this.expiryTimer.unref();
  }
}
