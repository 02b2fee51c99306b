import { randomBytes } from 'node:crypto';

/**
 * One topic's presence, as Phoenix.Presence keeps it: keys (the client's presence key,
 * usually a user id) each holding one meta per tracking channel member, every meta
 * stamped with a `phx_ref`. Changes come back as the diff the clients apply.
 */

export type Meta = Record<string, unknown> & { phx_ref: string; phx_ref_prev?: string };
export type PresenceState = Record<string, { metas: Meta[] }>;
export interface PresenceDiff {
  joins: PresenceState;
  leaves: PresenceState;
}

/** Phoenix presence refs are short opaque strings, unique per track. */
export function presenceRef(): string {
  return randomBytes(9).toString('base64url');
}

interface Entry<M> {
  owner: M;
  key: string;
  meta: Meta;
  /** The tracked payload's size as JSON, in bytes: what the limits count. */
  bytes: number;
}

function samePayload(meta: Meta, payload: Record<string, unknown>): boolean {
  const { phx_ref: _ref, phx_ref_prev: _prev, ...rest } = meta;
  return JSON.stringify(rest) === JSON.stringify(payload);
}

function add(state: PresenceState, key: string, meta: Meta): void {
  (state[key] ??= { metas: [] }).metas.push(meta);
}

export class TopicPresence<M> {
  /** One entry per tracking member: a member tracks under exactly one key. */
  private readonly entries = new Map<M, Entry<M>>();
  /** The sum of the entries' `bytes`. */
  heldBytes = 0;

  /** The size of `owner`'s tracked payload (0 if it tracks nothing). */
  bytesOf(owner: M): number {
    return this.entries.get(owner)?.bytes ?? 0;
  }

  state(): PresenceState {
    const state: PresenceState = {};
    for (const entry of this.entries.values()) add(state, entry.key, entry.meta);
    return state;
  }

  /**
   * Tracks `payload` for `owner` under `key`. Tracking again replaces the member's meta:
   * a join carrying `phx_ref_prev` and a leave of the old meta, as Phoenix.Presence.update
   * does; tracking the same payload again changes nothing (undefined).
   */
  track(owner: M, key: string, payload: Record<string, unknown>, bytes = 0): PresenceDiff | undefined {
    const previous = this.entries.get(owner);
    if (previous && previous.key === key && samePayload(previous.meta, payload)) return undefined;
    const meta: Meta = { ...payload, phx_ref: presenceRef() };
    const diff: PresenceDiff = { joins: {}, leaves: {} };
    if (previous) {
      if (previous.key === key) meta.phx_ref_prev = previous.meta.phx_ref;
      add(diff.leaves, previous.key, previous.meta);
    }
    this.heldBytes += bytes - (previous?.bytes ?? 0);
    this.entries.set(owner, { owner, key, meta, bytes });
    add(diff.joins, key, meta);
    return diff;
  }

  /** Removes `owner`'s meta; undefined when it tracked nothing. */
  untrack(owner: M): PresenceDiff | undefined {
    const previous = this.entries.get(owner);
    if (!previous) return undefined;
    this.entries.delete(owner);
    this.heldBytes -= previous.bytes;
    const diff: PresenceDiff = { joins: {}, leaves: {} };
    add(diff.leaves, previous.key, previous.meta);
    return diff;
  }
}
