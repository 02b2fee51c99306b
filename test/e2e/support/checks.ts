import assert from 'node:assert/strict';
import { LOCAL_SERVICE_ROLE_KEY } from '../../../server/auth/keys.ts';

/** Polls `read` until `ok` holds, and returns the last value; on timeout the error says what it last saw. */
export async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last = await read();
  while (!ok(last)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last saw ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await read();
  }
  return last;
}

/** Rows of flock_messages with this body, read with the service role (no RLS) through the server's REST API. */
export async function storedMessages(server: string, body: string): Promise<{ id: string; room: string; user_id: string }[]> {
  const response = await fetch(`${server}/rest/v1/flock_messages?select=id,room,user_id&body=eq.${encodeURIComponent(body)}`, {
    headers: { apikey: LOCAL_SERVICE_ROLE_KEY, Authorization: `Bearer ${LOCAL_SERVICE_ROLE_KEY}` },
  });
  assert.equal(response.status, 200);
  return (await response.json()) as { id: string; room: string; user_id: string }[];
}
