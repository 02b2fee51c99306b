import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { notify } from '../../server/notify.ts';
import type { RunningServer } from '../../server/start.ts';
import { anonymousUser, startTestServer } from '../support/server.ts';

/** `flock-kit notify`: a notification created with the service role reaches the database and its owner only. */
describe('flock-kit notify', () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  it('creates a notification its recipient can read, and refuses bad input with a clear error', async () => {
    const ada = await anonymousUser(server, 'Ada');
    const bo = await anonymousUser(server, 'Bo');
    const code = await notify(['--server', server.url, '--user', ada.id, '--title', 'Hello from the CLI', '--body', 'Body', '--url', '/docs/1', '--kind', 'mention']);
    assert.equal(code, 0);
    const mine = await ada.client.from('flock_notifications').select('title, body, url, kind');
    assert.deepEqual(mine.data, [{ title: 'Hello from the CLI', body: 'Body', url: '/docs/1', kind: 'mention' }]);
    const theirs = await bo.client.from('flock_notifications').select('id');
    assert.deepEqual(theirs.data, []);

    assert.equal(await notify(['--server', server.url, '--user', ada.id]), 2);
    assert.equal(await notify(['--server', server.url, '--user', ada.id, '--title', 'x'.repeat(500)]), 1);
    assert.equal(await notify(['--server', 'http://127.0.0.1:9', '--user', ada.id, '--title', 'Nobody home']), 1);
  });
});
