import { Timer } from '../timer.js';
import type { Timers } from '../timers.js';
import type { Write, WriteRequest, WriteResult } from '../types.js';
import { outcomeOfError, type Outbox, type SendOutcome } from './outbox.js';

/** Sends one write to the backend (REST for Supabase, the network for MemoryRoom). */
export type WriteSender = (write: Write) => Promise<SendOutcome>;

/** Another tab holds the replay lock: look again after a second (it may have read its list before our write landed). */
export const LOCK_RETRY_MS = 1000;

/**
 * Every write goes through the outbox, online or not, so a write has one life whatever
 * happens: stored (a reload mid-request loses nothing), sent in order, removed once the
 * server applied it, kept as `failed` when the server refused it. A flush runs when a write
 * is made, when the socket (re)opens, and on a retry; flushes never overlap in a tab, and the
 * outbox's lock keeps two tabs from replaying together.
 *
 * Online with nothing waiting, a write is stored and sent side by side rather than one after
 * the other (the outbox's IndexedDB work would otherwise sit in front of every chat message).
 * That keeps every guarantee: sends are idempotent, so a replay of the stored copy after an
 * unknown outcome changes nothing; only one such write is in flight at a time, and replays
 * wait for it, so order holds.
 */
export class WriteQueue {
  readonly #send: WriteSender;
  readonly #outbox: () => Promise<Outbox>;
  readonly #online: () => boolean;
  readonly #lockRetry: Timer;
  #running: Promise<void> | undefined;
  #again = false;
  #inFlight: Promise<unknown> | undefined;

  constructor(send: WriteSender, outbox: () => Promise<Outbox>, timers: Timers, online: () => boolean = () => false) {
    this.#send = send;
    this.#outbox = outbox;
    this.#online = online;
    this.#lockRetry = new Timer(timers, () => void this.flush(), () => LOCK_RETRY_MS);
  }

  async write(request: WriteRequest): Promise<WriteResult> {
    const outbox = await this.#outbox();
    if (this.#online() && !this.#running && !this.#inFlight && outbox.queued === 0) return this.#sendNow(outbox, request);
    await outbox.enqueue(request.kind, request.key, request);
    await this.flush();
    return resultOf(outbox, request.key);
  }

  async #sendNow(outbox: Outbox, request: WriteRequest): Promise<WriteResult> {
    const sent = this.#send(request.write).catch(outcomeOfError);
    const done = (async () => {
      const [, outcome] = await Promise.all([outbox.enqueue(request.kind, request.key, request), sent]);
      await outbox.settle(request.key, outcome);
    })();
    this.#inFlight = done;
    try {
      await done;
    } finally {
      this.#inFlight = undefined;
    }
    return resultOf(outbox, request.key);
  }

  async retry(key: string): Promise<WriteResult | undefined> {
    const outbox = await this.#outbox();
    if (!outbox.list.some((entry) => entry.key === key)) return undefined;
    await outbox.retry(key);
    await this.flush();
    return resultOf(outbox, key);
  }

  async discard(key: string): Promise<void> {
    await (await this.#outbox()).discard(key);
  }

  /** Sends what is pending; a flush asked for while one runs runs once more after it. */
  flush(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.#replayOnce();
        } while (this.#again);
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  async #replayOnce(): Promise<void> {
    // A write sent directly must finish (and leave the outbox) before anything is replayed.
    await this.#inFlight?.catch(() => undefined);
    const outbox = await this.#outbox();
    if (outbox.queued === 0) return;
    const result = await outbox.replay((entry) => this.#send((entry.payload as WriteRequest).write));
    if (result.replayed) this.#lockRetry.reset();
    else this.#lockRetry.schedule();
  }
}

/** What a write's caller hears: gone from the outbox is sent; still there is queued or failed. */
export function resultOf(outbox: Outbox, key: string): WriteResult {
  const entry = outbox.list.find((e) => e.key === key);
  if (!entry) return { state: 'sent' };
  if (entry.state === 'failed') return { state: 'failed', reason: entry.error ?? 'refused' };
  return { state: 'queued' };
}
