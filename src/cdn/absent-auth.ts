import { absent, absentClient } from './absent.js';

/**
 * What the script-tag file has instead of three parts of auth-js that a page in a browser never
 * needs for Flock: the admin API (service-role only, so never in a page), WebAuthn (passkey MFA)
 * and Sign-In with Ethereum. GoTrueClient makes the first two eagerly, so they can't tree-shake.
 * build/absent-modules.ts puts this module in place of `GoTrueAdminApi.js`, `lib/webauthn.js` and
 * `lib/web3/ethereum.js` in the `cdn` build only; any use says what is missing and what to do.
 */
const ADMIN = 'The auth admin API (supabase.auth.admin)';
const WEBAUTHN = 'WebAuthn (supabase.auth.mfa.webauthn and passkey factors)';
const WEB3 = 'Sign-In with Ethereum (supabase.auth.signInWithWeb3)';

// GoTrueAdminApi.js: the default export, made in GoTrueClient's constructor.
export default class GoTrueAdminApi {
  constructor() {
    return absentClient(ADMIN);
  }
}

// lib/webauthn.js: the names GoTrueClient imports.
export class WebAuthnApi {
  constructor() {
    return absentClient(WEBAUTHN);
  }
}
export const webAuthnAbortService = absentClient(WEBAUTHN);
const webauthn = (): never => absent(WEBAUTHN);
export {
  webauthn as browserSupportsWebAuthn,
  webauthn as createCredential,
  webauthn as getCredential,
  webauthn as deserializeCredentialCreationOptions,
  webauthn as deserializeCredentialRequestOptions,
  webauthn as serializeCredentialCreationResponse,
  webauthn as serializeCredentialRequestResponse,
};

// lib/web3/ethereum.js
const web3 = (): never => absent(WEB3);
export { web3 as createSiweMessage, web3 as fromHex, web3 as getAddress, web3 as toHex };
