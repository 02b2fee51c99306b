import { expect } from '@esm-bundle/chai';
import { LOCAL_SUPABASE_URL, VERSION, WIRE_VERSION } from '../../src/index.js';

/** Import specifiers a browser can't resolve on its own: anything not relative, absolute or a URL. */
function bareImports(source: string): string[] {
  // Statements only (at the start of a line or after `;` / `}`), and dynamic `import("…")`: the
  // words "import" and "from" also occur in strings and comments (supabase-js's own messages).
  const statements = /(?:^|[;}\n])\s*(?:import|export)\s*(?:[\w*${}\s,]+from\s*)?["']([^"']+)["']/g;
  const dynamic = /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g;
  const specifiers = [...source.matchAll(statements), ...source.matchAll(dynamic)].map((m) => m[1] ?? '');
  return specifiers.filter((s) => !/^(\.{0,2}\/|https?:|data:|blob:)/.test(s));
}

describe('built bundles', () => {
  it('loads dist/flock.js as one self-contained module with no bare imports', async () => {
    const source = await (await fetch('/dist/flock.js')).text();
    expect(bareImports(source)).to.deep.equal([]);
    const errors: ErrorEvent[] = [];
    const onError = (event: ErrorEvent): void => void errors.push(event);
    window.addEventListener('error', onError);
    const cdn = (await import('/dist/flock.js' as string)) as Record<string, unknown>;
    window.removeEventListener('error', onError);
    expect(errors).to.have.length(0);
    expect(cdn.VERSION).to.equal(VERSION);
    expect(cdn.WIRE_VERSION).to.equal(1);
  });

  it("makes a working client with dist/flock.js's createClient, whose absent parts say so when used", async () => {
    type Client = {
      from(table: string): unknown;
      storage: { from(bucket: string): unknown };
      functions: { invoke(name: string): unknown };
      auth: { admin: { listUsers(): unknown }; mfa: { webauthn: { register(): unknown } }; signInWithWeb3(credentials: object): Promise<unknown> };
    };
    const cdn = (await import('/dist/flock.js' as string)) as { createClient(url: string, key: string, options?: object): Client; LOCAL_ANON_KEY: string };
    const client = cdn.createClient(LOCAL_SUPABASE_URL, cdn.LOCAL_ANON_KEY, { auth: { persistSession: false, autoRefreshToken: false } });
    expect(typeof client.from('flock_messages')).to.equal('object');
    expect(() => client.storage.from('avatars')).to.throw(/not in flock\.js/);
    expect(() => client.functions.invoke('hello')).to.throw(/not in flock\.js/);
    expect(() => client.auth.admin.listUsers()).to.throw(/admin API .*not in flock\.js/);
    expect(() => client.auth.mfa.webauthn.register()).to.throw(/WebAuthn .*not in flock\.js/);
    // A wallet that has one account: the sign-in gets as far as reading its address.
    const wallet = { request: async () => ['0x0000000000000000000000000000000000000001'] };
    const web3 = await client.auth.signInWithWeb3({ chain: 'ethereum', wallet, statement: 'hi' }).then(
      (result) => result,
      (error: unknown) => error,
    );
    expect(String((web3 as { error?: unknown }).error ?? web3)).to.match(/Ethereum .*not in flock\.js/);
  });

  it('loads the ES module entry dist/index.js, which keeps lit and supabase-js external', async () => {
    const source = await (await fetch('/dist/index.js')).text();
    for (const specifier of bareImports(source)) {
      expect(specifier).to.match(/^(lit|@lit\/|@supabase\/)/);
    }
    const lib = (await import('/dist/index.js' as string)) as Record<string, unknown>;
    expect(lib.VERSION).to.equal(VERSION);
    expect(lib.WIRE_VERSION).to.equal(WIRE_VERSION);
    expect(lib.LOCAL_SUPABASE_URL).to.equal(LOCAL_SUPABASE_URL);
  });

  it('keeps the version in step with package.json', async () => {
    const pkg = (await (await fetch('/package.json')).json()) as { version: string };
    expect(VERSION).to.equal(pkg.version);
  });
});
