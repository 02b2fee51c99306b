import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { createNodeClient, type NodeClientOptions } from './node-client.ts';
import { LOCAL_ANON_KEY } from './server.ts';

/**
 * Generic helpers for Realtime tests: waiting for a channel to join, collecting what arrives,
 * and a raw Phoenix WebSocket client for the frames supabase-js would never send.
 *
 * Every wait has a deadline only so that a broken server fails a test with a message
 * instead of hanging it; no test relies on the deadline's length.
 */

export type Vsn = '1.0.0' | '2.0.0';
export const VSNS: readonly Vsn[] = ['1.0.0', '2.0.0'];

const WAIT_MS = 5000;

/** Resolves once `channel` reports SUBSCRIBED; rejects with the status it reports instead. */
export function subscribed(channel: RealtimeChannel): Promise<RealtimeChannel> {
  return new Promise((resolve, reject) => {
    channel.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') resolve(channel);
      else reject(new Error(`channel ${channel.topic}: ${status}${err ? ` (${err.message})` : ''}`));
    });
  });
}

/** Polls `predicate` until it holds. */
export async function waitFor(predicate: () => boolean, what = 'condition', timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves with the arguments of the next `name` event of `emitter`. */
export function nextEvent<A extends unknown[] = unknown[]>(
  emitter: { once(name: string, listener: (...args: A) => void): unknown },
  name: string,
  timeoutMs = WAIT_MS,
): Promise<A> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for "${name}"`)), timeoutMs);
    emitter.once(name, (...args: A) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}

/** Waits long enough for something that should not happen to have had its chance. */
export function quietPeriod(ms = 300): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Everything that arrived, in order (`all`), plus `next()`, which takes the first arrival not
 * yet taken that matches, waiting for it if need be.
 */
export class Inbox<T> {
  readonly all: T[] = [];
  private readonly pending: T[] = [];
  private readonly waiters = new Set<{ match: (item: T) => boolean; resolve: (item: T) => void }>();

  constructor(private readonly label = 'inbox') {}

  push(item: T): void {
    this.all.push(item);
    for (const waiter of this.waiters) {
      if (waiter.match(item)) {
        this.waiters.delete(waiter);
        waiter.resolve(item);
        return;
      }
    }
    this.pending.push(item);
  }

  next(match: (item: T) => boolean = () => true, timeoutMs = WAIT_MS): Promise<T> {
    const index = this.pending.findIndex(match);
    if (index >= 0) return Promise.resolve(this.pending.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (item: T) => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`${this.label}: timed out; received ${JSON.stringify(this.all).slice(0, 500)}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}

type ListenType = 'broadcast' | 'presence' | 'system';

/** Collects the payloads `channel` receives for one listen type and filter. Call before subscribing. */
export function listen<T = Record<string, unknown>>(
  channel: RealtimeChannel,
  type: ListenType,
  filter: { event?: string } = {},
): Inbox<T> {
  const inbox = new Inbox<T>(`${channel.topic} ${type} ${filter.event ?? ''}`);
  // The overloads of `on` are per listen type; this helper is generic over them.
  (channel.on as (t: string, f: object, cb: (p: T) => void) => RealtimeChannel)(type, filter, (payload) => inbox.push(payload));
  return inbox;
}

/** supabase-js clients made for one test or suite, closed together so the process can exit. */
export class ClientSet {
  private readonly clients: SupabaseClient[] = [];

  constructor(
    private readonly url: () => string,
    private readonly defaults: NodeClientOptions = {},
  ) {}

  make(options: NodeClientOptions & { key?: string } = {}): SupabaseClient {
    const { key = LOCAL_ANON_KEY, ...rest } = options;
    const client = createNodeClient(this.url(), key, { ...this.defaults, ...rest });
    this.clients.push(client);
    return client;
  }

  /** A client signed in anonymously (the `authenticated` role) under `name`, with its user id. */
  async signedIn(name = 'Tester', options: NodeClientOptions = {}): Promise<{ client: SupabaseClient; id: string }> {
    const client = this.make(options);
    const { data, error } = await client.auth.signInAnonymously({ options: { data: { name } } });
    if (error || !data.user) throw new Error(`anonymous sign-in failed: ${error?.message ?? 'no user'}`);
    return { client, id: data.user.id };
  }

  async closeAll(): Promise<void> {
    const clients = this.clients.splice(0);
    await Promise.all(clients.map((c) => c.realtime.disconnect()));
  }
}

/** The Realtime WebSocket URL of a server at `httpUrl`. */
export function socketUrl(httpUrl: string, params: { apikey?: string; vsn?: string } = {}): string {
  const url = new URL('/realtime/v1/websocket', httpUrl.replace(/^http/, 'ws'));
  if (params.apikey !== undefined) url.searchParams.set('apikey', params.apikey);
  if (params.vsn !== undefined) url.searchParams.set('vsn', params.vsn);
  return url.toString();
}

/** One decoded Phoenix message, whichever serializer carried it. */
export interface PhxMessage {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: any;
}

export type RawFrame = { kind: 'text'; text: string; message: PhxMessage } | { kind: 'binary'; bytes: Buffer };

/**
 * A bare Phoenix client over `ws`: sends exactly the frames a test writes and records every
 * frame the server sends, so tests can check the wire itself.
 */
export class RawSocket {
  readonly frames = new Inbox<RawFrame>('raw frames');
  /** Resolves with the close code and reason once the socket has closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private nextRef = 1;

  private constructor(
    readonly ws: WebSocket,
    readonly vsn: Vsn,
  ) {
    ws.on('message', (data, isBinary) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) {
        this.frames.push({ kind: 'binary', bytes });
        return;
      }
      const text = bytes.toString('utf8');
      this.frames.push({ kind: 'text', text, message: decode(text, vsn) });
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })));
    // A refused or reset socket is reported through `closed`; the error itself is noise here.
    ws.on('error', () => {});
  }

  /** `localAddress` connects from another loopback address (127.0.0.2…), as a second machine would. */
  static open(httpUrl: string, options: { apikey?: string; vsn?: Vsn; localAddress?: string } = {}): Promise<RawSocket> {
    const vsn = options.vsn ?? '2.0.0';
    const url = socketUrl(httpUrl, { apikey: options.apikey ?? LOCAL_ANON_KEY, vsn });
    const ws = options.localAddress ? new WebSocket(url, { localAddress: options.localAddress }) : new WebSocket(url);
    const socket = new RawSocket(ws, vsn);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(socket));
      ws.once('error', reject);
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  ref(): string {
    return String(this.nextRef++);
  }

  /** Sends one message in this socket's serializer; returns its ref. */
  push(topic: string, event: string, payload: unknown, refs: { joinRef?: string | null; ref?: string | null } = {}): string | null {
    const ref = refs.ref === undefined ? this.ref() : refs.ref;
    const joinRef = refs.joinRef ?? null;
    this.ws.send(
      this.vsn === '2.0.0'
        ? JSON.stringify([joinRef, ref, topic, event, payload])
        : JSON.stringify({ join_ref: joinRef, ref, topic, event, payload }),
    );
    return ref;
  }

  send(data: string | Buffer | Uint8Array): void {
    this.ws.send(data);
  }

  /** The next text message that matches. */
  async message(match: (m: PhxMessage) => boolean, timeoutMs?: number): Promise<PhxMessage> {
    const frame = await this.frames.next((f) => f.kind === 'text' && match(f.message), timeoutMs);
    return (frame as Extract<RawFrame, { kind: 'text' }>).message;
  }

  /** The `phx_reply` to the push with `ref`. */
  reply(ref: string | null, timeoutMs?: number): Promise<PhxMessage> {
    return this.message((m) => m.event === 'phx_reply' && m.ref === ref, timeoutMs);
  }

  /** Joins `realtime:<name>` with a join payload's `config`; returns the join ref and the reply. */
  async join(name: string, config: Record<string, unknown> = {}): Promise<{ topic: string; joinRef: string; reply: PhxMessage }> {
    const topic = `realtime:${name}`;
    const joinRef = this.ref();
    this.push(topic, 'phx_join', { config }, { joinRef, ref: joinRef });
    return { topic, joinRef, reply: await this.reply(joinRef) };
  }

  close(): void {
    this.ws.close();
  }
}

function decode(text: string, vsn: Vsn): PhxMessage {
  const parsed = JSON.parse(text) as unknown;
  if (vsn === '2.0.0') {
    const [joinRef, ref, topic, event, payload] = parsed as [string | null, string | null, string, string, unknown];
    return { joinRef, ref, topic, event, payload };
  }
  const o = parsed as { join_ref: string | null; ref: string | null; topic: string; event: string; payload: unknown };
  return { joinRef: o.join_ref, ref: o.ref, topic: o.topic, event: o.event, payload: o.payload };
}

/** Tries a WebSocket upgrade the server should refuse; resolves with its HTTP status and body. */
export function refusedUpgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    ws.on('open', () => {
      ws.close();
      reject(new Error(`upgrade to ${url} was accepted`));
    });
    ws.on('error', () => {});
  });
}
