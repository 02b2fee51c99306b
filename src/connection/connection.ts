import type { Session, SupabaseClient } from '@supabase/supabase-js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { resolveIdentity, sameUser, saveProfile } from './identity.js';
import { IdbStore } from './outbox/idb-store.js';
import { Outbox, writeCounts } from './outbox/outbox.js';
import { LatencyAverage, STATUS, qualityOf, type ConnectionStatus } from './status.js';
import { watchSocket, type HeartbeatStatus } from './socket-watch.js';
import { ChannelSession } from './channel-session.js';
import { Timers } from './timers.js';
import type { ConnectionState, FlockUser, FlockUserInput, QueuedWrite, WriteRequest, WriteResult } from './types.js';
import { WriteQueue } from './outbox/write-queue.js';
import { sendWrite } from './rest.js';
import { shortTokenRefreshDelay } from './token-refresh.js';

/**
 * How long a kit-created socket may stay "connecting" before the attempt counts as failed.
 * A WebSocket opened into a dead link (no answer, no reset) waits on the browser's own TCP
 * timeout, minutes, and phoenix has no limit: without this the page would not reconnect when
 * the network came back.
 */
export const CONNECT_TIMEOUT_MS = 10_000;

/** After a pause, how long a kit-created socket has to answer a heartbeat before it is replaced. */
export const WAKE_PROBE_MS = 3000;

/** How a kit-created client reconnects: the Connection plans each delay (see `ClientHooks`). */
export interface ClientHooks {
  reconnectDelay(tries: number): number;
}

export interface ConnectionOptions {
  url: string;
  key: string;
  client: SupabaseClient;
  /** True when the kit created `client` (it then drives reconnects); false for an app's client. */
  owned: boolean;
  /** Where a kit-created client sends its reconnect questions; the Connection installs itself. */
  hooks?: { current: ClientHooks | undefined };
  backoff?: BackoffOptions;
  /** Timer functions; tests pass counting ones to prove nothing outlives `dispose()`. */
  timers?: Timers;
  /** IndexedDB name for the outbox; tests keep theirs apart. */
  outboxDb?: string;
}

/**
 * The one shared connection for a (supabase url, key) on a page: its supabase-js client, and
 * so its one WebSocket, with the status, latency, backoff, identity and outbox every Room on
 * it shares. Rooms hold it through the registry (`connection-registry.ts`); nothing renders.
 *
 * Status comes from the socket itself (open, close, heartbeat timeouts: phoenix counts a beat
 * with no reply by the next beat as lost, i.e. two intervals of silence) and from the browser
 * (`offline`). With a kit-created client the Connection also decides every reconnect delay
 * (full-jitter backoff, 1 s … 30 s) and tries at once when the network returns or the page
 * becomes visible; with an app's client it only observes, so the app's own settings hold.
 *
 * Events (plain `Event`s): `status` whenever `state` changes, `user` when the identity
 * resolves or changes, `writes` when the outbox changes, `resync` when the user's own channel
 * has joined (its changes are live from then on; anything before may have been missed).
 */
export class Connection extends EventTarget {
  readonly client: SupabaseClient;
  readonly owned: boolean;
  readonly url: string;
  readonly key: string;
  readonly #timers: Timers;
  readonly #backoff: Backoff;
  readonly #latency = new LatencyAverage();
  #status: ConnectionStatus = STATUS.connecting;
  #attempt = 0;
  #nextRetryAt: number | undefined;
  #lastConnectedAt: number | undefined;
  #dropped = 0;
  #profile: FlockUserInput = {};
  #currentUser: FlockUser | undefined;
  #outboxPromise: Promise<Outbox> | undefined;
  #outboxEntries: readonly QueuedWrite[] = [];
  readonly #cleanups: (() => void)[] = [];
  #disposed = false;
  #resolving: Promise<FlockUser> | undefined;
  #userChain: Promise<unknown> = Promise.resolve();
  #tokenRefresh: number | undefined;
  #profileSave: number | undefined;
  readonly #queue: WriteQueue;
  #personal: ChannelSession | undefined;
  #connectWatch: number | undefined;
  /** When the server was last heard from (socket opened, heartbeat answered). */
  #lastHeardAt = 0;
  #wakeCheck: number | undefined;

  constructor(private readonly options: ConnectionOptions) {
    super();
    this.client = options.client;
    this.owned = options.owned;
    this.url = options.url;
    this.key = options.key;
    this.#timers = options.timers ?? new Timers();
    this.#backoff = new Backoff(options.backoff);
    this.#queue = new WriteQueue((write) => sendWrite(this.client, write), () => this.outbox(), this.#timers, () => this.#status === STATUS.connected);
    if (options.hooks) {
      options.hooks.current = { reconnectDelay: (tries) => this.#planRetry(tries) };
      this.#cleanups.push(() => (options.hooks!.current = undefined));
    }
    const realtime = this.client.realtime;
    this.#cleanups.push(
      watchSocket(realtime, {
        open: () => this.#opened(),
        close: () => this.#lost(),
        error: () => undefined,
        heartbeat: (status, latency) => this.#heartbeat(status, latency),
      }),
    );
    if (realtime.isConnected()) this.#opened();
    else this.#watchConnect(0);
    this.#listen(window, 'online', () => this.#networkBack());
    this.#listen(window, 'offline', () => this.#set({ status: STATUS.offline }));
    this.#listen(document, 'visibilitychange', () => {
      if (document.visibilityState === 'visible') this.#networkBack();
    });
    const { data } = this.client.auth.onAuthStateChange((event, session) => {
      this.#keepTokenFresh(session);
      // The same user with a new token. Reading the session again would refresh a token that lives
      // under auth-js's 90 s margin at once, whose event would read it again: a refresh loop.
      if (event === 'TOKEN_REFRESHED') return;
      // Auth's own lock is held while this runs: resolving here would deadlock on getSession.
      this.#timers.setTimeout(() => void this.#refreshUser(), 0);
    });
    this.#cleanups.push(() => data.subscription.unsubscribe());
  }

  /** The connection as `<flock-status>` shows it. */
  get state(): ConnectionState {
    const latency = this.#latency.value;
    const { queued, failed } = writeCounts(this.#outboxEntries);
    return {
      status: this.#status,
      latency: latency === undefined ? undefined : Math.round(latency),
      quality: latency === undefined ? undefined : qualityOf(latency),
      attempt: this.#attempt,
      nextRetryAt: this.#nextRetryAt,
      lastConnectedAt: this.#lastConnectedAt,
      queued,
      failed,
      dropped: this.#dropped,
      owned: this.owned,
    };
  }

  /** This tab's user, once resolved. */
  get user(): FlockUser | undefined {
    return this.#currentUser;
  }

  get writes(): readonly QueuedWrite[] {
    return this.#outboxEntries;
  }

  /** Resolves the identity (session, else anonymous sign-in, else a visitor id); cached. */
  ready(): Promise<FlockUser> {
    this.#resolving ??= this.#refreshUser();
    return this.#resolving;
  }

  /** Display name, colour and avatar from the page (`user-name`… or the `user` property). */
  setProfile(input: FlockUserInput): void {
    this.#profile = { ...input };
    if (!this.#currentUser) return; // the first resolution reads it
    void this.#refreshUser().then((user) => this.#scheduleProfileSave(user));
  }

  /** Counts a malformed message from a peer (dropped, never shown). */
  noteDropped(count = 1): void {
    this.#dropped += count;
    this.#emit('status');
  }

  /** The outbox of the current user on this project, opened on first use. */
  outbox(): Promise<Outbox> {
    this.#outboxPromise ??= this.ready().then(async (user) => {
      const outbox = await Outbox.open(await IdbStore.open(`${this.url}|${user.id}`, this.options.outboxDb));
      if (this.#disposed) {
        outbox.close();
        throw new Error('connection closed');
      }
      const update = (entries: readonly QueuedWrite[]) => {
        this.#outboxEntries = entries;
        this.#emit('writes');
        this.#emit('status');
      };
      update(outbox.list as readonly QueuedWrite[]);
      this.#cleanups.push(outbox.subscribe((entries) => update(entries as readonly QueuedWrite[])));
      this.#cleanups.push(() => outbox.close());
      return outbox;
    });
    return this.#outboxPromise;
  }

  /** Writes through the outbox (see `WriteQueue`). */
  write(request: WriteRequest): Promise<WriteResult> {
    return this.#queue.write(request);
  }

  retryWrite(key: string): Promise<WriteResult | undefined> {
    return this.#queue.retry(key);
  }

  discardWrite(key: string): Promise<void> {
    return this.#queue.discard(key);
  }

  /**
   * The current user's own channel (`flock-user:<id>`), for changes meant for them alone
   * (notifications), shared by every room on the connection.
   */
  userChannel(): ChannelSession {
    if (!this.#personal) {
      const session = new ChannelSession(this.client, this.#timers);
      this.#personal = session;
      const start = () => {
        // Every join, the first included: changes made before it (while elements were fetching) were missed.
        if (this.#currentUser) session.start({ topic: `flock-user:${this.#currentUser.id}`, onJoined: () => this.#emit('resync') });
      };
      start();
      this.addEventListener('user', start);
      this.#cleanups.push(() => this.removeEventListener('user', start));
    }
    return this.#personal;
  }

  /** Sends a heartbeat now (unless one is in flight) to refresh the latency figure. */
  probe(): void {
    const realtime = this.client.realtime;
    if (realtime.isConnected() && !realtime.pendingHeartbeatRef) void realtime.sendHeartbeat();
  }

  /**
   * Reconnects now instead of waiting out the backoff. With a kit-created client this runs
   * phoenix's own reconnect step (refresh auth, then connect); with an app's client it only
   * asks realtime-js to connect if it is idle.
   */
  retryNow(): void {
    const realtime = this.client.realtime;
    if (this.#disposed || realtime.isConnected()) return;
    if (this.owned) this.#reconnect();
    else realtime.connect();
  }

  /** Phoenix's own reconnect step, now: closes the socket (open, stuck or none), then connects. */
  #reconnect(): void {
    const timer = this.client.realtime.reconnectTimer;
    timer.reset();
    this.#nextRetryAt = undefined;
    this.#set({ status: navigator.onLine === false ? STATUS.offline : STATUS.reconnecting });
    timer.callback();
    this.#watchConnect(0);
  }

  /** Leaves the user's channel and releases every listener and timer; a kit-created socket is closed by the registry. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const cleanup of this.#cleanups.splice(0).reverse()) cleanup();
    this.#timers.clearAll();
    await this.#personal?.close();
    this.#timers.clearAll();
  }

  /** Timeouts this connection has pending (zero once disposed). */
  get pendingTimers(): number {
    return this.#timers.pending;
  }

  #opened(): void {
    this.#timers.clearTimeout(this.#connectWatch);
    this.#timers.clearTimeout(this.#wakeCheck);
    this.#lastHeardAt = Date.now();
    this.#backoff.reset();
    this.#lastConnectedAt = Date.now();
    this.#set({ status: STATUS.connected, attempt: 0, nextRetryAt: undefined });
    // A first figure now rather than one interval later.
    this.#timers.setTimeout(() => this.probe(), 0);
    // Back online: a visitor may now sign in, and the outbox goes out.
    if (this.owned && this.#currentUser?.kind === 'visitor') void this.#refreshUser();
    void this.#queue.flush().catch(() => undefined);
  }

  #lost(): void {
    if (this.#disposed) return;
    if (!this.owned) this.#attempt++;
    this.#set({ status: navigator.onLine === false ? STATUS.offline : STATUS.reconnecting });
  }

  #heartbeat(status: HeartbeatStatus, latency: number | undefined): void {
    if (status === 'sent' && document.visibilityState === 'visible' && this.#stale()) {
      // Late by more than an interval on a visible page (hidden ones are throttled): timers were paused.
      this.#presumeLost();
    } else if (status === 'ok' && latency !== undefined) {
      this.#lastHeardAt = Date.now();
      this.#latency.add(latency);
      if (this.#status !== STATUS.connected && this.client.realtime.isConnected()) this.#opened();
      else this.#emit('status');
    } else if (status === 'timeout') {
      this.#set({ status: STATUS.reconnecting });
    }
  }

  /** realtime-js asks how long to wait before try number `tries`: full jitter below the ceiling. */
  #planRetry(tries: number): number {
    const delay = this.#backoff.delayFor(tries);
    this.#attempt = tries;
    this.#nextRetryAt = Date.now() + delay;
    this.#set({ status: navigator.onLine === false ? STATUS.offline : STATUS.reconnecting });
    this.#watchConnect(delay);
    return delay;
  }

  /**
   * A kit-created socket's attempt starting in `delayMs` must open within `CONNECT_TIMEOUT_MS`;
   * one still connecting then is abandoned for a fresh one (phoenix's own reconnect step, which
   * closes the stuck socket; its close plans the next try as usual).
   */
  #watchConnect(delayMs: number): void {
    if (!this.owned) return;
    this.#timers.clearTimeout(this.#connectWatch);
    this.#connectWatch = this.#timers.setTimeout(() => {
      this.#connectWatch = undefined;
      if (this.client.realtime.isConnecting()) this.retryNow();
    }, delayMs + CONNECT_TIMEOUT_MS);
  }

  #networkBack(): void {
    if (this.#status === STATUS.offline && navigator.onLine !== false) this.#set({ status: STATUS.reconnecting });
    if (this.#stale()) this.#presumeLost();
    else if (this.owned) this.retryNow();
  }

  /**
   * An open socket not heard from for over two heartbeat intervals, the span phoenix allows a
   * beat: the page's timers were paused (frozen, asleep), so the socket may have died unseen
   * and the status may be long out of date.
   */
  #stale(): boolean {
    const realtime = this.client.realtime;
    return realtime.isConnected() && this.#lastHeardAt > 0 && Date.now() - this.#lastHeardAt > 2 * realtime.heartbeatIntervalMs;
  }

  /**
   * Says so at once (not after phoenix's next heartbeat timeout, up to two intervals away) and
   * asks the server: an answer shows it connected again. A kit-created socket that stays silent
   * for `WAKE_PROBE_MS` is replaced; an app's is left to its own heartbeat.
   */
  #presumeLost(): void {
    if (this.#disposed) return;
    this.#lastHeardAt = 0;
    this.#set({ status: navigator.onLine === false ? STATUS.offline : STATUS.reconnecting });
    this.probe();
    if (!this.owned) return;
    this.#timers.clearTimeout(this.#wakeCheck);
    this.#wakeCheck = this.#timers.setTimeout(() => {
      this.#wakeCheck = undefined;
      if (this.#status !== STATUS.connected) this.#reconnect();
    }, WAKE_PROBE_MS);
  }

  /** A token too short-lived for auth-js's refresh tick is renewed before it lapses (reading the session refreshes it). */
  #keepTokenFresh(session: Session | null): void {
    this.#timers.clearTimeout(this.#tokenRefresh);
    const delay = shortTokenRefreshDelay(session);
    if (delay !== undefined) this.#tokenRefresh = this.#timers.setTimeout(() => void this.client.auth.getSession(), delay);
  }

  /** One resolution at a time: two at once could sign in twice. */
  #refreshUser(): Promise<FlockUser> {
    const next = this.#userChain.then(() => this.#resolveUser());
    this.#userChain = next.catch(() => undefined);
    return next;
  }

  async #resolveUser(): Promise<FlockUser> {
    const user = await resolveIdentity(this.client, { owned: this.owned, profile: this.#profile });
    if (!this.#disposed && !sameUser(user, this.#currentUser)) {
      const idChanged = user.id !== this.#currentUser?.id;
      this.#currentUser = user;
      if (idChanged && this.#outboxPromise) this.#reopenOutbox();
      // Writes queued by an earlier page load show (and count) before the network returns.
      else if (idChanged) void this.outbox().catch(() => undefined);
      if (idChanged) this.#scheduleProfileSave(user);
      this.#emit('user');
    }
    return user;
  }

  /** Keeps the user's metadata in step with the page's name, colour and avatar (kit-made users only). */
  #scheduleProfileSave(user: FlockUser): void {
    if (!this.owned || user.kind === 'visitor') return;
    // Debounced: attributes often arrive one by one.
    this.#timers.clearTimeout(this.#profileSave);
    this.#profileSave = this.#timers.setTimeout(() => void saveProfile(this.client, this.#profile).catch(() => undefined), 500);
  }

  /** Another user now (signed in after being a visitor): their own outbox, sent if the network allows. */
  #reopenOutbox(): void {
    const previous = this.#outboxPromise;
    this.#outboxPromise = undefined;
    void previous?.then((outbox) => outbox.close()).catch(() => undefined);
    void this.outbox()
      .then(() => this.#queue.flush())
      .catch(() => undefined);
  }

  #set(change: Partial<Pick<ConnectionState, 'status' | 'attempt' | 'nextRetryAt'>>): void {
    if (change.status !== undefined) this.#status = change.status;
    if (change.attempt !== undefined) this.#attempt = change.attempt;
    if ('nextRetryAt' in change) this.#nextRetryAt = change.nextRetryAt;
    this.#emit('status');
  }

  #emit(name: 'status' | 'user' | 'writes' | 'resync'): void {
    if (!this.#disposed) this.dispatchEvent(new Event(name));
  }

  #listen(target: EventTarget, type: string, listener: () => void): void {
    target.addEventListener(type, listener);
    this.#cleanups.push(() => target.removeEventListener(type, listener));
  }
}
