import { SignJWT, jwtVerify, errors } from 'jose';

/** The local Supabase stack's well-known JWT secret (`supabase start` uses the same one). */
export const LOCAL_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';

export type JwtPayload = Record<string, unknown>;

/** Why a token was refused: `expired` and `invalid` map to different error codes in PostgREST and GoTrue. */
export class JwtError extends Error {
  constructor(
    readonly reason: 'expired' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'JwtError';
  }
}

export class JwtSigner {
  private readonly key: Uint8Array;

  constructor(secret: string = LOCAL_JWT_SECRET) {
    this.key = new TextEncoder().encode(secret);
  }

  /** Signs `payload` as HS256; `exp`/`iat` are taken from the payload as given. */
  sign(payload: JwtPayload): Promise<string> {
    return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(this.key);
  }

  /** Verifies signature (HS256 only: `alg: none` and others are refused) and expiry. */
  async verify(token: string): Promise<JwtPayload> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] });
      return payload as JwtPayload;
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new JwtError('expired', 'JWT expired');
      const detail = error instanceof Error ? error.message : String(error);
      throw new JwtError('invalid', `invalid JWT: ${detail}`);
    }
  }
}
