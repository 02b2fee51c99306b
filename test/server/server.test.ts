import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer } from '../../server/start.ts';
import { FLOCK_BIN, startChildServer } from '../support/child-server.ts';
import { anonymousUser, LOCAL_ANON_KEY, makeClient, startTestServer } from '../support/server.ts';

describe('the HTTP front door', () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('answers /flock/health with status, version and uptime', async () => {
    const response = await fetch(`${server.url}/flock/health`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.status, 'ok');
    assert.equal(body.version, server.ctx.version);
    assert.equal(typeof body.uptime, 'number');
  });

  it('answers a CORS preflight for the headers supabase-js sends', async () => {
    const response = await fetch(`${server.url}/rest/v1/flock_messages`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://example.test',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'apikey, authorization, content-type, prefer, x-client-info',
      },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), 'http://example.test');
    assert.match(response.headers.get('access-control-allow-headers') ?? '', /prefer/);
    assert.match(response.headers.get('access-control-expose-headers') ?? '', /Content-Range/);
  });

  it('answers an unknown path with the gateway-shaped 404', async () => {
    const response = await fetch(`${server.url}/nothing/here`);
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { message: 'no Route matched with those values' });
  });

  it('refuses a body over the limit with 413 and keeps serving', async () => {
    const response = await fetch(`${server.url}/rest/v1/flock_messages`, {
      method: 'POST',
      headers: { apikey: LOCAL_ANON_KEY, 'Content-Type': 'application/json' },
      body: JSON.stringify({ body: 'x'.repeat(server.ctx.maxBodyBytes + 1) }),
    });
    assert.equal(response.status, 413);
    const error = (await response.json()) as Record<string, unknown>;
    assert.equal(typeof error.message, 'string');
    assert.ok('code' in error && 'details' in error && 'hint' in error, 'PostgREST error shape');
    assert.equal((await fetch(`${server.url}/flock/health`)).status, 200);
  });
});

describe('persistence', () => {
  it('keeps rows, users and sessions written with a data dir across a restart', async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'flock-data-'));
    t.after(() => rm(dataDir, { recursive: true, force: true }));
    const id = randomUUID();

    const first = await startTestServer({ dataDir });
    let session;
    try {
      const { client } = await anonymousUser(first, 'Persistent Pat');
      const { error } = await client.from('flock_messages').insert({ id, room: 'kept', body: 'still here?' });
      assert.equal(error, null);
      session = (await client.auth.getSession()).data.session;
    } finally {
      await first.close();
    }
    assert.ok(session, 'signed in before the restart');

    const second = await startTestServer({ dataDir });
    try {
      const again = makeClient(second);
      const { error: sessionError } = await again.auth.setSession({
        access_token: session.access_token,
        refresh_token: session.refresh_token,
      });
      assert.equal(sessionError, null, 'the user and session survived too');
      const { data } = await again.from('flock_messages').select('id, body, author_name').eq('room', 'kept');
      assert.deepEqual(data, [{ id, body: 'still here?', author_name: 'Persistent Pat' }]);
      assert.deepEqual(second.ctx.db.appliedMigrations, [], 'migrations are not applied twice');
    } finally {
      await second.close();
    }
  });
});

describe('the flock-kit command', () => {
  function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [FLOCK_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('exit', (code) => resolve({ code, out, err }));
    });
  }

  it('prints usage for --help', async () => {
    const { code, out } = await run(['serve', '--help']);
    assert.equal(code, 0);
    assert.match(out, /--memory/);
  });

  it('refuses a bad port, an unknown flag and --data with --memory, with exit code 2', async () => {
    for (const args of [['serve', '--port', 'abc'], ['serve', '--bogus'], ['serve', '--memory', '--data', 'x'], ['frobnicate']]) {
      const { code, err } = await run(args);
      assert.equal(code, 2, `exit code for ${args.join(' ')}`);
      assert.match(err, /flock-kit:/);
    }
  });

  it('serves with --memory on the port it prints, and stops on SIGTERM', async () => {
    const server = await startChildServer();
    try {
      const response = await fetch(`${server.url}/flock/health`);
      assert.equal(response.status, 200);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
