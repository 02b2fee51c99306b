import type { SupabaseClient } from '@supabase/supabase-js';
import type { Outbox, SendOutcome } from './outbox.js';
import { sendWrite } from './rest.js';
import type { Timers } from './timers.js';
import type { WriteRequest, WriteResult } from './types.js';

/**
 * Every write goes through the outbox, online or not, so a write has one life whatever
 * happens: stored in IndexedDB (a reload mid-request loses nothing), sent in order, removed
 * once the server applied it, kept as `failed` when the server refused it. A flush runs when a
 * write is made, when the socket (re)opens, and on a retry; flushes never overlap in a tab, and
 * the outbox's lock keeps two tabs from replaying together.
 *
 * Online with nothing waiting, a write is stored and sent side by side rather than one after
 * the other (the outbox's IndexedDB work would otherwise sit in front of every chat message).
 * That keeps every guarantee: sends are idempotent, so a replay of the stored copy after an
 * unknown outcome changes nothing; only one such write is in flight at a time, and replays
 * wait for it, so order holds.
 */
export class WriteQueue {
  #running: Promise<void> | undefined;
  #again = false;
  #retryTimer: number | undefined;
  #inFlight: Promise<unknown> | undefined;

  constructor(
    private readonly client: SupabaseClient,
    private readonly outbox: () => Promise<Outbox>,
    private readonly timers: Timers,
    private readonly online: () => boolean = () => false,
  ) {}

  async write(request: WriteRequest): Promise<WriteResult> {
    const outbox = await this.outbox();
    if (this.online() && !this.#running && !this.#inFlight && outbox.queued === 0) return this.#sendNow(outbox, request);
    await outbox.enqueue(request.kind, request.key, request);
    await this.flush();
    return resultOf(outbox, request.key);
  }

  async #sendNow(outbox: Outbox, request: WriteRequest): Promise<WriteResult> {
    const sent = sendWrite(this.client, request.write).catch((error: unknown): SendOutcome => ({ ok: false, retry: true, reason: error instanceof Error ? error.message : String(error) }));
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
    const outbox = await this.outbox();
    if (!outbox.list.some((entry) => entry.key === key)) return undefined;
    await outbox.retry(key);
    await this.flush();
    return resultOf(outbox, key);
  }

  async discard(key: string): Promise<void> {
    await (await this.outbox()).discard(key);
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
    const outbox = await this.outbox();
    if (outbox.queued === 0) return;
    const result = await outbox.replay((entry) => sendWrite(this.client, (entry.payload as WriteRequest).write));
    if (!result.replayed) {
      // Another tab holds the replay lock; it may have read its list before our write landed.
      this.timers.clearTimeout(this.#retryTimer);
      this.#retryTimer = this.timers.setTimeout(() => void this.flush(), 1000);
    }
  }
}

function resultOf(outbox: Outbox, key: string): WriteResult {
  const entry = outbox.list.find((e) => e.key === key);
  if (!entry) return { state: 'sent' };
  if (entry.state === 'failed') return { state: 'failed', reason: entry.error ?? 'refused' };
  return { state: 'queued' };
}
