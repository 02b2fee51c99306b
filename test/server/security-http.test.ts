import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'node:net';
import { notify } from '../../server/notify.ts';
import type { RunningServer } from '../../server/start.ts';
import { assertUnchanged, fingerprint } from '../support/security-db.ts';
import { accessToken, assertHealthy, assertRestError, send } from '../support/security-http.ts';
import { exchange, openSocket, statusOf } from '../support/security-socket.ts';
import { anonymousUser, LOCAL_ANON_KEY, startTestServer } from '../support/server.ts';

/**
 * The HTTP front door under attack: path traversal in the static file server, oversized
 * headers and bodies, bodies that never finish, malformed JSON and wrong content types, and
 * the service-role-only write `flock-kit notify` makes, tried with lesser keys. After each
 * group the server still answers /flock/health.
 */

const SECRET = 'TOP SECRET outside the root';
const ENV = 'DB_PASSWORD=hunter2';

let server: RunningServer;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flock-security-'));
  const root = join(dir, 'site');
  await mkdir(join(root, 'sub'), { recursive: true });
  await mkdir(join(root, 'empty'));
  await mkdir(join(root, '.git'));
  await writeFile(join(root, 'index.html'), '<h1>home</h1>');
  await writeFile(join(root, 'ok.txt'), 'inside the root');
  await writeFile(join(root, 'sub', 'page.html'), '<p>sub</p>');
  await writeFile(join(root, '.env'), ENV);
  await writeFile(join(root, '.git', 'config'), '[core]\n\trepositoryformatversion = 0');
  await writeFile(join(dir, 'secret.txt'), SECRET);
  await symlink(join(dir, 'secret.txt'), join(root, 'link-out.txt'));
  await symlink(dir, join(root, 'dir-out'));
  await symlink(join(root, 'ok.txt'), join(root, 'link-in.txt'));
  server = await startTestServer({ staticDirs: [root] });
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('static files: nothing outside the root, no dot-files, no listings', () => {
  const get = (path: string, method = 'GET') => send(server.url, path, { method, apikey: null });

  it('serves what is inside the root (the controls)', async () => {
    assert.equal((await get('/ok.txt')).text, 'inside the root');
    assert.equal((await get('/')).text, '<h1>home</h1>');
    assert.equal((await get('/link-in.txt')).text, 'inside the root', 'a symlink that stays inside is fine');
  });

  const attacks: [string, string][] = [
    ['dot-dot', '/../secret.txt'],
    ['dot-dot below a folder', '/sub/../../secret.txt'],
    ['encoded dot-dot', '/%2e%2e/secret.txt'],
    ['mixed-case encoded dot-dot', '/%2E%2e/%2E%2E/secret.txt'],
    ['encoded slash', '/..%2fsecret.txt'],
    ['encoded dot-dot-slash in one segment', '/%2e%2e%2fsecret.txt'],
    ['double-encoded dot-dot', '/%252e%252e/secret.txt'],
    ['double-encoded slash', '/..%252fsecret.txt'],
    ['overlong UTF-8 dot', '/%c0%ae%c0%ae/secret.txt'],
    ['backslash', '/..\\secret.txt'],
    ['encoded backslash', '/..%5csecret.txt'],
    ['NUL before an extension', '/ok.txt%00.html'],
    ['NUL in a folder', '/sub%00/page.html'],
    ['absolute path', '/etc/passwd'],
    ['protocol-relative path', '//etc/passwd'],
    ['encoded absolute path', '/%2fetc%2fpasswd'],
    ['absolute-form request target', 'http://127.0.0.1/../../../../etc/passwd'],
    ['drive letter', '/C:/Windows/win.ini'],
    ['.env', '/.env'],
    ['.env, encoded', '/%2eenv'],
    ['.env below a folder', '/sub/../.env'],
    ['.git/config', '/.git/config'],
    ['.git/config, encoded', '/%2egit/config'],
    ['symlink to a file outside', '/link-out.txt'],
    ['symlink to a folder outside', '/dir-out/secret.txt'],
    ['a folder without index.html (no listing)', '/empty/'],
    ['a folder with files but no index.html (no listing)', '/sub/'],
  ];
  for (const [what, path] of attacks) {
    it(`answers ${what} (${path}) with 404 and nothing from outside`, async () => {
      const reply = await get(path);
      assert.equal(reply.status, 404, `${path} → ${reply.status} ${reply.text.slice(0, 200)}`);
      for (const leaked of [SECRET, ENV, 'repositoryformatversion', 'root:']) assert.ok(!reply.text.includes(leaked), `${path} leaked ${leaked}`);
    });
  }

  it('answers every method but GET and HEAD with 405 and Allow', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const reply = await get('/ok.txt', method);
      assert.equal(reply.status, 405, method);
      assert.equal(reply.headers.allow, 'GET, HEAD', method);
    }
    const head = await get('/ok.txt', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
  });

  it('still answers /flock/health', () => assertHealthy(server.url));
});

describe('sizes, slow bodies and malformed requests', () => {
  let token: string;
  before(async () => {
    token = await accessToken((await anonymousUser(server, 'Ada')).client);
  });

  it("answers headers over Node's limit with 431, and a URL that long too", async () => {
    const bigHeader = await exchange(server.port, `GET /flock/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.equal(statusOf(bigHeader), 431);
    const longUrl = await exchange(server.port, `GET /rest/v1/flock_messages?select=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.equal(statusOf(longUrl), 431);
    await assertHealthy(server.url);
  });

  it('refuses a body over 1 MiB with 413 in each service\'s error shape, declared or streamed, and stores nothing', async () => {
    const before = await fingerprint(server.ctx.db);
    const big = JSON.stringify({ room: 'big', body: 'x'.repeat(1024 * 1024) });
    const json = { 'Content-Type': 'application/json' };
    const rest = await send(server.url, '/rest/v1/flock_messages', { method: 'POST', token, headers: json, body: big });
    assertRestError(rest, 413, '413', 'REST');
    const auth = await send(server.url, '/auth/v1/signup', { method: 'POST', headers: json, body: big });
    assert.equal(auth.status, 413);
    assert.equal((auth.json as { code: string }).code, 'request_entity_too_large');
    // Chunked, so no Content-Length announces it: refused as it grows.
    const chunked = await exchange(
      server.port,
      `POST /rest/v1/flock_messages HTTP/1.1\r\nHost: x\r\napikey: ${LOCAL_ANON_KEY}\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${(2 * 1024 * 1024).toString(16)}\r\n${'x'.repeat(2 * 1024 * 1024)}\r\n0\r\n\r\n`,
    );
    assert.equal(statusOf(chunked), 413);
    await assertUnchanged(server.ctx.db, before, 'the oversized bodies');
    await assertHealthy(server.url);
  });

  it('keeps answering while bodies and headers never finish arriving', async () => {
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const socket = await openSocket(server.port);
        socket.on('error', () => {});
        sockets.push(socket);
        // Half of them stall in the body, half in the headers.
        socket.write(
          i % 2 === 0
            ? `POST /rest/v1/flock_messages HTTP/1.1\r\nHost: x\r\napikey: ${LOCAL_ANON_KEY}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"room":`
            : `GET /flock/health HTTP/1.1\r\nHost: x\r\nX-Slow: `,
        );
      }
      await assertHealthy(server.url);
      const read = await send(server.url, '/rest/v1/flock_messages?select=id&limit=1', { token });
      assert.equal(read.status, 200);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });

  it('refuses a request with both Content-Length and Transfer-Encoding (smuggling) with 400', async () => {
    const raw = await exchange(
      server.port,
      `POST /rest/v1/flock_messages HTTP/1.1\r\nHost: x\r\napikey: ${LOCAL_ANON_KEY}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /flock/health HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    assert.equal(statusOf(raw), 400);
    await assertHealthy(server.url);
  });

  it('answers malformed JSON with 400 in each service\'s shape, and other content types as PostgREST does', async () => {
    const before = await fingerprint(server.ctx.db);
    const post = (path: string, contentType: string, body: string) => send(server.url, path, { method: 'POST', token, headers: { 'Content-Type': contentType, 'X-Supabase-Api-Version': '2024-01-01' }, body });
    for (const body of ['{"room":', '{"room": "r", "body": "x"', "{'room': 'r'}", '\u0000', '[{"room": "r", "body": "x"}, ]', '{"room": NaN}']) {
      assertRestError(await post('/rest/v1/flock_messages', 'application/json', body), 400, 'PGRST102', JSON.stringify(body));
      const auth = await post('/auth/v1/signup', 'application/json', body);
      assert.equal(auth.status, 400, JSON.stringify(body));
      assert.equal((auth.json as { code: string }).code, 'bad_json');
    }
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
      assertRestError(await post('/rest/v1/flock_messages', type, '{"room": "r", "body": "x"}'), 400, 'PGRST102', type);
    }
    const broadcast = await post('/realtime/v1/api/broadcast/flock:r/events/cursor', 'text/plain', '{}');
    assert.equal(broadcast.status, 415);
    const batch = await post('/realtime/v1/api/broadcast', 'application/json', '{"messages": [');
    assert.equal(batch.status, 422);
    await assertUnchanged(server.ctx.db, before, 'the malformed requests');
    await assertHealthy(server.url);
  });
});

describe("service-role-only writes with lesser keys (flock-kit notify's path)", () => {
  it('creates a notification with the service role key (the control), and refuses the anon key and a user token', async () => {
    const ada = await anonymousUser(server, 'Ada');
    const quiet = { error: console.error, log: console.log };
    console.error = console.log = () => {};
    try {
      assert.equal(await notify(['--server', server.url, '--user', ada.id, '--title', 'From the backend']), 0);
      const before = await fingerprint(server.ctx.db);
      assert.equal(await notify(['--server', server.url, '--user', ada.id, '--title', 'Phishing', '--key', LOCAL_ANON_KEY]), 1);
      assert.equal(await notify(['--server', server.url, '--user', ada.id, '--title', 'Phishing', '--key', await accessToken(ada.client)]), 1);
      await assertUnchanged(server.ctx.db, before, 'notify with lesser keys');
    } finally {
      Object.assign(console, quiet);
    }
    // The same request notify makes, answered in PostgREST's words: 401 for anon, 403 for a user.
    const row = JSON.stringify({ user_id: ada.id, title: 'Phishing' });
    const headers = { 'Content-Type': 'application/json', Prefer: 'return=representation' };
    assertRestError(await send(server.url, '/rest/v1/flock_notifications', { method: 'POST', token: LOCAL_ANON_KEY, headers, body: row }), 401, '42501', 'anon');
    assertRestError(await send(server.url, '/rest/v1/flock_notifications', { method: 'POST', token: await accessToken(ada.client), headers, body: row }), 403, '42501', 'user');
    const { rows } = await server.ctx.db.asOwner((tx) => tx.query<{ title: string }>('select title from public.flock_notifications where user_id = $1', [ada.id]));
    assert.deepEqual(rows, [{ title: 'From the backend' }]);
  });

  it('still answers /flock/health', () => assertHealthy(server.url));
});
