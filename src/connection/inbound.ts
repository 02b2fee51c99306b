import { BROADCAST_PARSERS, parsePresenceMeta, type BroadcastEvent, type BroadcastPayload, type PresenceMeta } from './wire.js';

/**
 * What arrives from peers, checked once for every Room implementation: broadcasts must be a v1
 * shape from someone present, presence metas a v1 meta under their own key. Anything else is
 * refused here and counted by the caller; elements only ever see what passed.
 */

type Listener = (payload: never) => void;

/**
 * How often one sender may send one event: the kit sends cursors at 20 a second at most, so
 * anything well past that is a peer flooding the room (token bucket: a burst, then a rate).
 */
export const SENDER_LIMIT = { perSecond: 30, burst: 30 } as const;

/** Listeners per broadcast event, fed only with messages that pass. */
export class BroadcastInbox {
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  add<E extends BroadcastEvent>(event: E, listener: (payload: BroadcastPayload<E>) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as Listener);
    const listeners = set;
    return () => void listeners.delete(listener as Listener);
  }

  /**
   * Validates and delivers a message; false when it was dropped (not a known v1 shape, its
   * `id` names nobody present — Supabase broadcasts carry no sender identity of their own — or
   * that sender is over `SENDER_LIMIT` for this event).
   */
  deliver(event: unknown, payload: unknown, isPresent: (id: string) => boolean): boolean {
    const parser = typeof event === 'string' && Object.hasOwn(BROADCAST_PARSERS, event) ? BROADCAST_PARSERS[event as BroadcastEvent] : undefined;
    const message = parser?.(payload);
    if (!message || !isPresent(message.id) || !this.#allow(`${event as string}|${message.id}`)) return false;
    for (const listener of [...(this.#listeners.get(event as string) ?? [])]) (listener as (p: typeof message) => void)(message);
    return true;
  }

  clear(): void {
    this.#listeners.clear();
    this.#buckets.clear();
  }

  /** Too frequent from this sender: false. */
  #allow(key: string): boolean {
    const now = this.now();
    const bucket = this.#buckets.get(key) ?? { tokens: SENDER_LIMIT.burst, at: now };
    bucket.tokens = Math.min(SENDER_LIMIT.burst, bucket.tokens + ((now - bucket.at) / 1000) * SENDER_LIMIT.perSecond);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

/** Everyone present, by user id, keeping only valid metas filed under their own id. */
export function validPresence(entries: Iterable<readonly [string, readonly unknown[]]>, now = Date.now()): Map<string, PresenceMeta[]> {
  const state = new Map<string, PresenceMeta[]>();
  for (const [key, metas] of entries) {
    const valid = metas.map((meta) => parsePresenceMeta(meta, now)).filter((m): m is PresenceMeta => m?.id === key);
    if (valid.length > 0) state.set(key, [...(state.get(key) ?? []), ...valid]);
  }
  return state;
}

/**
 * Whether two validated presence states hold the same people with the same metas, so a sync
 * that changed only invalid metas (a peer forging or churning presence) is not news.
 */
export function samePresence(a: ReadonlyMap<string, readonly PresenceMeta[]>, b: ReadonlyMap<string, readonly PresenceMeta[]>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, metas] of a) {
    const other = b.get(id);
    if (!other || other.length !== metas.length) return false;
    for (let i = 0; i < metas.length; i++) if (JSON.stringify(metas[i]) !== JSON.stringify(other[i])) return false;
  }
  return true;
}
