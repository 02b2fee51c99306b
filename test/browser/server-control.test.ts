import { expect } from '@esm-bundle/chai';
import {
  realtimeStats,
  restartServer,
  runSql,
  setProxyDelay,
  startProxy,
  startServer,
  stopProxy,
  stopServer,
  type TestServer,
} from '../support/server-control.js';

async function healthStatus(url: string): Promise<string> {
  const response = await fetch(`${url}/flock/health`);
  expect(response.status).to.equal(200);
  return ((await response.json()) as { status: string }).status;
}

/** The server commands drive real servers, real SQL and a real TCP proxy: each is checked by its effect. */
describe('server control commands', () => {
  let server: TestServer;
  let running = false;
  const proxies: string[] = [];

  before(async () => {
    server = await startServer();
    running = true;
  });
  after(async () => {
    for (const proxyId of proxies.splice(0)) await stopProxy(proxyId);
    if (running) await stopServer(server.id);
  });

  it('runs SQL as the owner on the default server', async () => {
    expect(await runSql('select 1 + 1 as two')).to.deep.equal([{ two: 2 }]);
    expect(await runSql<{ n: string }>('select $1::text as n', { params: ['x'] })).to.deep.equal([{ n: 'x' }]);
  });

  it('returns the Realtime counters', async () => {
    expect((await realtimeStats()).connections).to.be.a('number');
    expect((await realtimeStats(server.id)).connections).to.be.a('number');
  });

  it('stops and restarts an extra server on the same URL with its data', async () => {
    expect(await healthStatus(server.url)).to.equal('ok');
    // One statement per call: the command runs a single (parameterisable) statement.
    await runSql('create table t (x int)', { id: server.id });
    await runSql('insert into t values ($1)', { id: server.id, params: [7] });

    expect(await stopServer(server.id)).to.deep.equal({ stopped: true });
    running = false;
    let refused: unknown;
    await fetch(`${server.url}/flock/health`).catch((error: unknown) => (refused = error));
    expect(refused).to.be.instanceOf(TypeError);

    expect(await restartServer(server.id)).to.deep.equal({ url: server.url });
    running = true;
    expect(await healthStatus(server.url)).to.equal('ok');
    expect(await runSql('select x from t', { id: server.id })).to.deep.equal([{ x: 7 }]);
  });

  it('carries HTTP through a delaying proxy, before and after the delay changes', async () => {
    const proxy = await startProxy(300, server.id);
    proxies.push(proxy.proxyId);
    expect(proxy.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await healthStatus(proxy.url)).to.equal('ok');
    expect(await setProxyDelay(proxy.proxyId, 0)).to.deep.equal({ delayMs: 0 });
    expect(await healthStatus(proxy.url)).to.equal('ok');
  });
});
