import { parseArgs } from 'node:util';
import { LOCAL_SERVICE_ROLE_KEY } from './auth/keys.ts';

export const NOTIFY_USAGE = `Usage: flock-kit notify --user <user id> --title <text> [options]

Creates a notification (a row in flock_notifications) with the service role, for demos and
tests. It appears live in that user's <flock-bell>.

  --user ID        the recipient's user id (required)
  --title TEXT     the title (required, 1–200 characters)
  --body TEXT      the body text
  --url URL        where the notification leads (http(s) or a same-origin path)
  --kind KIND      a short word: info, mention… (default info)
  --room NAME      the room it is about
  --actor-name N   who caused it
  --server URL     the server (default http://127.0.0.1:54321, the local one)
  --key KEY        a service-role key (default the local stack's; for a real project pass yours)`;

/** `flock-kit notify …`: inserts one notification over REST as the service role. Returns the exit code. */
export async function notify(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        user: { type: 'string' },
        title: { type: 'string' },
        body: { type: 'string' },
        url: { type: 'string' },
        kind: { type: 'string' },
        room: { type: 'string' },
        'actor-name': { type: 'string' },
        server: { type: 'string' },
        key: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`flock-kit notify: ${error instanceof Error ? error.message : String(error)}\n\n${NOTIFY_USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(NOTIFY_USAGE);
    return 0;
  }
  if (!values.user || !values.title) {
    console.error(`flock-kit notify: --user and --title are required\n\n${NOTIFY_USAGE}`);
    return 2;
  }
  const server = (values.server ?? 'http://127.0.0.1:54321').replace(/\/+$/, '');
  const key = values.key ?? LOCAL_SERVICE_ROLE_KEY;
  const row = {
    user_id: values.user,
    title: values.title,
    ...(values.body !== undefined && { body: values.body }),
    ...(values.url !== undefined && { url: values.url }),
    ...(values.kind !== undefined && { kind: values.kind }),
    ...(values.room !== undefined && { room: values.room }),
    ...(values['actor-name'] !== undefined && { actor_name: values['actor-name'] }),
  };
  let response: Response;
  try {
    response = await fetch(`${server}/rest/v1/flock_notifications`, {
      method: 'POST',
      headers: { apikey: key, authorization: `Bearer ${key}`, 'content-type': 'application/json', prefer: 'return=representation' },
      body: JSON.stringify(row),
    });
  } catch (error) {
    console.error(`flock-kit notify: cannot reach ${server} (${error instanceof Error ? error.message : String(error)}); is the server running?`);
    return 1;
  }
  const body = (await response.json().catch(() => ({}))) as { message?: string } | { id: string }[];
  if (!response.ok || !Array.isArray(body)) {
    console.error(`flock-kit notify: the server refused it (${response.status}): ${'message' in body ? body.message : JSON.stringify(body)}`);
    return 1;
  }
  console.log(`notification ${body[0]?.id} created for ${values.user}`);
  return 0;
}
