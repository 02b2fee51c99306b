import { randomUUID } from 'node:crypto';
import type { RealtimeChannel, RealtimePostgresChangesPayload, SupabaseClient } from '@supabase/supabase-js';
import { LOCAL_ANON_KEY } from '../../server/auth/keys.ts';
import { createNodeClient } from '../../test/support/node-client.ts';
import { now, type ChatClientLog, type ChatSent, type SampleBuffer, type Tally } from './load-protocol.ts';

/** What a client shares with the rest of its worker: the counters, the samples, the room counts. */
export interface ClientContext {
  url: string;
  tally: Tally;
  cursorLatency: SampleBuffer;
  chatLatency: SampleBuffer;
  insertTime: SampleBuffer;
  /** Clients joined to each room now, shared by every worker. */
  joinedPerRoom: Int32Array;
  /** When any of the worker's clients last received a cursor or a chat row. */
  lastReceiptAt: number;
  /** Messages sent before this (the warm-up) are neither counted nor timed. */
  measureFrom: number;
  /** The chat rows this worker's clients inserted in the measured window. */
  chatSent: ChatSent[];
}

const COLORS = ['#e4572e', '#17bebb', '#ffc914', '#76b041', '#2e86ab', '#a23b72'];
const CHAT_BODY = /^load (\d+(?:\.\d+)?)$/;

/**
 * One simulated person in one room, doing on the wire what a page with `<flock-room>`,
 * `<flock-cursors>`, `<flock-avatars>` and `<flock-chat>` does (src/connection/room.ts,
 * channel-session.ts, src/elements/chat/chat-controller.ts): an anonymous sign-in; one
 * channel `flock:<room>` with self-less, ack-less broadcast, presence keyed by the user id
 * and the chat's postgres_changes binding (`room=eq.<room>`); a v1 presence meta tracked on
 * join; `cursor` broadcasts `{ v, id, x, y }`; chat rows inserted over REST as the kit's
 * outbox sends them (an upsert ignoring duplicates on the client-made id). Cursor payloads
 * and chat bodies carry the send time, so every receipt is a latency.
 */
export class SimClient {
  readonly client: SupabaseClient;
  private userId = '';
  private channel: RealtimeChannel | undefined;
  private joined = false;
  private away = false;
  private status: 'active' | 'away' = 'active';
  private since = Date.now();
  private inserting = false;
  private cursorStep = 0;
  /** Joined intervals and receipts of measured chat rows, for the lost / duplicated / late accounting. */
  private readonly joinedIntervals: [number, number][] = [];
  private readonly receipts = new Map<string, number[]>();

  constructor(
    private readonly ctx: ClientContext,
    readonly index: number,
    readonly room: string,
    private readonly roomIndex: number,
  ) {
    this.client = createNodeClient(ctx.url, LOCAL_ANON_KEY);
    this.client.realtime.onHeartbeat((status) => {
      if (status === 'timeout') ctx.tally.heartbeatTimeouts++;
    });
  }

  get isJoined(): boolean {
    return this.joined;
  }

  /** Signs in and joins; resolves once joined, or false after `timeoutMs` (the join may still land later). */
  async start(timeoutMs: number): Promise<boolean> {
    const { data, error } = await this.client.auth.signInAnonymously({
      options: { data: { name: `Load ${this.index}`, color: COLORS[this.index % COLORS.length]! } },
    });
    if (error || !data.user) {
      this.ctx.tally.signInErrors++;
      return false;
    }
    this.userId = data.user.id;
    return this.join(timeoutMs);
  }

  /** A cursor move, as `<flock-cursors>` sends it; false when the channel is not joined (nothing sent). */
  sendCursor(): boolean {
    const channel = this.channel;
    // realtime-js sends over HTTP when a channel is not joined; the kit doesn't (stale cursors), nor does this.
    if (!channel || !this.joined || channel.state !== 'joined') {
      if (now() >= this.ctx.measureFrom) this.ctx.tally.cursorNotJoined++;
      return false;
    }
    const angle = (this.cursorStep++ / 40) * 2 * Math.PI;
    const payload = { v: 1, id: this.userId, x: 0.5 + 0.4 * Math.cos(angle), y: 0.5 + 0.4 * Math.sin(angle), t: now() };
    if (payload.t >= this.ctx.measureFrom) {
      this.ctx.tally.cursorSent++;
      this.ctx.tally.cursorExpected += Math.max(0, Atomics.load(this.ctx.joinedPerRoom, this.roomIndex) - 1);
    }
    void channel.send({ type: 'broadcast', event: 'cursor', payload });
    return true;
  }

  /** A chat message over REST; skipped (and counted) while this client's previous one is in flight. */
  async sendChat(): Promise<void> {
    const tally = this.ctx.tally;
    if (this.inserting) {
      if (now() >= this.ctx.measureFrom) tally.chatSkippedInFlight++;
      return;
    }
    this.inserting = true;
    tally.chatInFlight++;
    const id = randomUUID();
    const sentAt = now();
    try {
      const { error, status } = await this.client
        .from('flock_messages')
        .upsert({ id, room: this.room, user_id: this.userId, author_name: `Load ${this.index}`, body: `load ${sentAt}` }, { onConflict: 'id', ignoreDuplicates: true });
      if (error) {
        tally.chatRestErrors[status] = (tally.chatRestErrors[status] ?? 0) + 1;
        return;
      }
      // Counted when the row is committed (the change goes out then), not when the insert was sent.
      const others = Atomics.load(this.ctx.joinedPerRoom, this.roomIndex) - (this.joined ? 1 : 0);
      if (sentAt < this.ctx.measureFrom) return;
      this.ctx.chatSent.push({ id, room: this.room, sender: this.index, sentAt, committedAt: now() });
      tally.chatSent++;
      tally.chatExpected += Math.max(0, others);
      this.ctx.insertTime.push(now() - sentAt);
    } catch {
      tally.chatRestErrors['0'] = (tally.chatRestErrors['0'] ?? 0) + 1;
    } finally {
      this.inserting = false;
      tally.chatInFlight--;
    }
  }

  /** Away ↔ active, as a tab going to the background and back re-tracks its meta. */
  async updatePresence(): Promise<void> {
    if (!this.joined) return;
    this.status = this.status === 'active' ? 'away' : 'active';
    this.since = Date.now();
    this.ctx.tally.presenceUpdates++;
    await this.track();
  }

  /** Leaves the room, as a closed tab does: the channel is removed (and with it, the socket). */
  async leave(): Promise<void> {
    const channel = this.channel;
    if (!channel || this.away) return;
    this.away = true;
    this.ctx.tally.leaves++;
    this.setJoined(false);
    this.channel = undefined;
    await this.client.removeChannel(channel);
  }

  /** Comes back after `leave`: a fresh channel, a fresh join, presence tracked again. */
  async rejoin(timeoutMs: number): Promise<void> {
    if (!this.away) return;
    this.away = false;
    this.ctx.tally.rejoins++;
    await this.join(timeoutMs);
  }

  async close(): Promise<void> {
    this.away = true;
    this.setJoined(false);
    this.channel = undefined;
    await this.client.removeAllChannels();
    this.client.realtime.disconnect();
  }

  private join(timeoutMs: number): Promise<boolean> {
    const tally = this.ctx.tally;
    const channel = this.client
      .channel(`flock:${this.room}`, {
        config: { broadcast: { self: false, ack: false }, presence: { key: this.userId, enabled: true }, private: false },
      })
      .on('postgres_changes', { event: '*', schema: 'public', table: 'flock_messages', filter: `room=eq.${this.room}` }, (change) =>
        this.received(change),
      )
      .on('presence', { event: 'join' }, () => tally.presenceDiffsSeen++)
      .on('presence', { event: 'leave' }, () => tally.presenceDiffsSeen++)
      .on('broadcast', { event: 'cursor' }, ({ payload }) => {
        const t = (payload as { t?: unknown }).t;
        if (typeof t !== 'number' || t < this.ctx.measureFrom) return;
        const at = now();
        tally.cursorReceived++;
        this.ctx.cursorLatency.push(at - t);
        this.ctx.lastReceiptAt = at;
      })
      .on('system', {}, (message: { status?: string; message?: string }) => {
        if (message.status !== 'error') return;
        const why = message.message ?? 'unknown';
        tally.serverErrors[why] = (tally.serverErrors[why] ?? 0) + 1;
      });
    this.channel = channel;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      channel.subscribe((status) => {
        // Statuses from a channel this client has since removed (a leave) are not news.
        if (channel !== this.channel) return;
        if (status === 'SUBSCRIBED') {
          clearTimeout(timer);
          this.setJoined(true);
          void this.track();
          resolve(true);
        } else if (this.joined) {
          tally.unexpectedChannelDrops++;
          this.setJoined(false);
        } else {
          tally.joinErrors++;
        }
      });
    });
  }

  private async track(): Promise<void> {
    const channel = this.channel;
    if (!channel || !this.joined) return;
    const meta = { v: 1, id: this.userId, name: `Load ${this.index}`, color: COLORS[this.index % COLORS.length]!, status: this.status, since: this.since };
    const reply = await channel.track(meta);
    if (reply !== 'ok') this.ctx.tally.presenceTrackErrors++;
  }

  /** What this client saw of the chat, for the coordinator's accounting. */
  chatLog(): ChatClientLog {
    return { index: this.index, room: this.room, joined: this.joinedIntervals.map(([a, b]) => [a, b]), receipts: [...this.receipts] };
  }

  private received(change: RealtimePostgresChangesPayload<Record<string, unknown>>): void {
    if (change.eventType !== 'INSERT') return;
    const row = change.new;
    const sentAt = CHAT_BODY.exec(String(row.body ?? ''))?.[1];
    if (sentAt === undefined || Number(sentAt) < this.ctx.measureFrom) return;
    if (row.user_id === this.userId) {
      this.ctx.tally.chatOwnEchoes++;
      return;
    }
    const at = now();
    const id = String(row.id);
    const times = this.receipts.get(id) ?? [];
    times.push(at);
    this.receipts.set(id, times);
    // A second receipt of the same row is a duplicate, not a delivery (the accounting counts it apart).
    if (times.length > 1) return;
    this.ctx.tally.chatReceived++;
    this.ctx.chatLatency.push(at - Number(sentAt));
    this.ctx.lastReceiptAt = at;
  }

  private setJoined(joined: boolean): void {
    if (joined === this.joined) return;
    this.joined = joined;
    if (joined) this.joinedIntervals.push([now(), Infinity]);
    else this.joinedIntervals.at(-1)![1] = now();
    Atomics.add(this.ctx.joinedPerRoom, this.roomIndex, joined ? 1 : -1);
  }
}
