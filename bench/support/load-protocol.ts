/**
 * What the load bench's coordinating thread and its worker threads say to each other, and
 * the figures a worker hands back. Kept apart from both sides so each imports only types.
 */

/** The traffic every simulated client makes; rates are per client unless they say otherwise. */
export interface Traffic {
  /** Cursor broadcasts a second from each present client. */
  cursorHz: number;
  /** Chat inserts a second in each room, shared out among the room's chatty clients. */
  chatPerRoomPerSecond: number;
  /** Each client re-tracks its presence meta (away ↔ active) this often. */
  presenceUpdateEveryMs: number;
  /** One client per room leaves the room (channel removed) this often… */
  leaveEveryMs: number;
  /** …and comes back after this long. */
  awayMs: number;
}

/** One worker's share of the clients. */
export interface WorkerSetup {
  url: string;
  /** Global indexes of this worker's clients; client i is in room i % rooms, at position ⌊i / rooms⌋. */
  clients: number[];
  rooms: number;
  roomSize: number;
  roomPrefix: string;
  traffic: Traffic;
  /** Int32Array over it: how many clients are joined to each room now (kept with Atomics). */
  joinedPerRoom: SharedArrayBuffer;
}

/** Sending runs from `startAt` to `sendEnd`; only what is sent from `measureFrom` on (after the warm-up) is counted. */
export type ToWorker = { type: 'go'; startAt: number; measureFrom: number; sendEnd: number } | { type: 'finish' };

/** Counters a worker keeps; summed over workers for the report. */
/**
 * Sends, expectations, deliveries and latencies count only messages sent in the measured
 * window; errors and presence activity count from the first join.
 */
export interface Tally {
  signInErrors: number;
  /** Join attempts answered with an error or a timeout (realtime-js retries them). */
  joinErrors: number;
  /** Clients still not joined when the run started. */
  notJoinedAtStart: number;
  /** `system` errors from the server (a channel shut down over a limit), by message. */
  serverErrors: Record<string, number>;
  /** A joined channel that left the joined state when we had not asked it to. */
  unexpectedChannelDrops: number;
  heartbeatTimeouts: number;
  cursorSent: number;
  /** Cursor sends skipped because the sender's channel was not joined (away, or dropped). */
  cursorNotJoined: number;
  /** Send slots missed because the worker's event loop was late (not a server figure). */
  cursorSlotsLate: number;
  /** Σ over sends of the other clients joined to the room at the time. */
  cursorExpected: number;
  cursorReceived: number;
  chatSent: number;
  /** Inserts refused or failed, by HTTP status (0: no response). */
  chatRestErrors: Record<string, number>;
  /** Chat slots skipped because the same client's previous insert had not returned. */
  chatSkippedInFlight: number;
  chatExpected: number;
  chatReceived: number;
  /** Chat inserts sent and not yet returned (the drain waits for them: each one's receivers are known only then). */
  chatInFlight: number;
  /** A sender's own rows coming back to it (not counted as deliveries). */
  chatOwnEchoes: number;
  presenceUpdates: number;
  /** track() answered with something other than ok (error, timed out). */
  presenceTrackErrors: number;
  /** Presence joins and leaves seen by clients (each one a diff the server fanned out). */
  presenceDiffsSeen: number;
  leaves: number;
  rejoins: number;
}

export const emptyTally = (): Tally => ({
  signInErrors: 0,
  joinErrors: 0,
  notJoinedAtStart: 0,
  serverErrors: {},
  unexpectedChannelDrops: 0,
  heartbeatTimeouts: 0,
  cursorSent: 0,
  cursorNotJoined: 0,
  cursorSlotsLate: 0,
  cursorExpected: 0,
  cursorReceived: 0,
  chatSent: 0,
  chatRestErrors: {},
  chatSkippedInFlight: 0,
  chatExpected: 0,
  chatReceived: 0,
  chatInFlight: 0,
  chatOwnEchoes: 0,
  presenceUpdates: 0,
  presenceTrackErrors: 0,
  presenceDiffsSeen: 0,
  leaves: 0,
  rejoins: 0,
});

/** Adds `b` into `a`: numbers summed, per-key records merged. */
export function addTally(a: Tally, b: Tally): Tally {
  const out = { ...a } as Record<string, number | Record<string, number>>;
  for (const [key, value] of Object.entries(b) as [keyof Tally, number | Record<string, number>][]) {
    const mine = out[key];
    if (typeof value === 'number') out[key] = (mine as number) + value;
    else {
      const merged = { ...(mine as Record<string, number>) };
      for (const [k, n] of Object.entries(value)) merged[k] = (merged[k] ?? 0) + n;
      out[key] = merged;
    }
  }
  return out as unknown as Tally;
}

/** Latency samples in ms, handed over (not copied) at the end. */
export interface Samples {
  cursor: Float64Array;
  chat: Float64Array;
  /** How long each insert's REST call took, at the sender. */
  insert: Float64Array;
}

/** A chat row inserted in the measured window: what the coordinator checks every receipt against. */
export interface ChatSent {
  id: string;
  room: string;
  /** The sender's global client index. */
  sender: number;
  /** When the insert was sent, and when its REST call returned (the row committed before that). */
  sentAt: number;
  committedAt: number;
}

/** One client's side of the chat accounting. */
export interface ChatClientLog {
  index: number;
  room: string;
  /** When the client's channel was joined (SUBSCRIBED) and when it stopped being (left, dropped; Infinity: joined at the end). */
  joined: [number, number][];
  /** Per measured row id, the times each receipt of its INSERT change arrived. */
  receipts: [string, number[]][];
}

export interface ChatLog {
  sent: ChatSent[];
  clients: ChatClientLog[];
}

export type FromWorker =
  | { type: 'ready'; tally: Tally }
  | { type: 'progress'; tally: Tally; lastReceiptAt: number }
  | { type: 'result'; tally: Tally; samples: Samples; chat: ChatLog }
  | { type: 'closed' }
  | { type: 'failed'; message: string };

/** Wall-clock ms with sub-ms precision, the same in every thread of the process. */
export const now = (): number => performance.timeOrigin + performance.now();

/** A growable array of doubles: millions of latency samples without millions of boxed numbers. */
export class SampleBuffer {
  private data = new Float64Array(1 << 14);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  take(): Float64Array {
    return this.data.slice(0, this.length);
  }
}
