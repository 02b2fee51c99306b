import { ContextConsumer } from '@lit/context';
import { ReactiveElement } from 'lit';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { LOCAL_ANON_KEY } from '../../src/connection/local-defaults.js';
import type { Room } from '../../src/connection/types.js';
import { roomContext } from '../../src/context.js';

/**
 * Browser-test helpers for rooms: a minimal consumer element (what every Flock element does to
 * get its Room), an in-memory auth storage so each test client is its own user, and waiting.
 */

/** An element that takes the Room from context, as a Flock element does. */
export class TestConsumer extends ReactiveElement {
  readonly consumer = new ContextConsumer(this, { context: roomContext, subscribe: true });
  get room(): Room | undefined {
    return this.consumer.value;
  }
}

/** The same, but inside a shadow root of its own host: context must cross it. */
export class TestShadowHost extends HTMLElement {
  readonly inner: TestConsumer;
  constructor() {
    super();
    this.inner = document.createElement('test-consumer') as TestConsumer;
    this.attachShadow({ mode: 'open' }).append(this.inner);
  }
}

if (!customElements.get('test-consumer')) customElements.define('test-consumer', TestConsumer);
if (!customElements.get('test-shadow-host')) customElements.define('test-shadow-host', TestShadowHost);

/** Session storage in memory: a fresh client is a fresh user, apart from the kit's. */
export function memoryStorage(): Storage {
  const data = new Map<string, string>();
  return {
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: (key) => data.get(key) ?? null,
    key: (i) => [...data.keys()][i] ?? null,
    removeItem: (key) => void data.delete(key),
    setItem: (key, value) => void data.set(key, value),
  };
}

/** An app's own client, signed in anonymously as `name`. */
export async function appClient(url: string, name?: string, options: { heartbeatIntervalMs?: number } = {}): Promise<SupabaseClient> {
  const client = createClient(url, LOCAL_ANON_KEY, {
    auth: { storage: memoryStorage(), storageKey: `app-${crypto.randomUUID()}`, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: options.heartbeatIntervalMs ? { heartbeatIntervalMs: options.heartbeatIntervalMs } : {},
  });
  if (name !== undefined) {
    const { error } = await client.auth.signInAnonymously({ options: { data: { name } } });
    if (error) throw error;
  }
  return client;
}

export async function waitFor(predicate: () => boolean, what = 'condition', timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves with the next `type` event on `target`. */
export function nextEvent(target: EventTarget, type: string, timeoutMs = 8000): Promise<Event> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event`)), timeoutMs);
    target.addEventListener(
      type,
      (event) => {
        clearTimeout(timer);
        resolve(event);
      },
      { once: true },
    );
  });
}

/** Counts the WebSockets the page opens from now on (the page's constructor, wrapped). */
export function countSockets(): { urls: string[]; restore(): void } {
  const Native = window.WebSocket;
  const urls: string[] = [];
  class Counted extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      urls.push(String(url));
    }
  }
  window.WebSocket = Counted;
  return { urls, restore: () => void (window.WebSocket = Native) };
}
