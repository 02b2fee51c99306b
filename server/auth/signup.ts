import type { ServerContext } from '../context.ts';
import type { HttpReply, HttpRequest } from '../http/types.ts';
import { badRequest, unprocessable } from './errors.ts';
import { objectField, readParams, stringField, validateEmail, type JsonObject } from './params.ts';
import { checkPasswordStrength, hashPassword } from './passwords.ts';
import { startSession } from './sessions.ts';
import { findUserByEmail, insertUser } from './users.ts';

interface SignupParams {
  email: string;
  phone: string;
  password: string;
  data: JsonObject;
}

function parseSignup(request: HttpRequest): SignupParams {
  const params = readParams(request);
  return {
    email: stringField(params, 'email'),
    phone: stringField(params, 'phone'),
    password: stringField(params, 'password'),
    data: objectField(params, 'data') ?? {},
  };
}

/**
 * `POST /signup`. Without email or phone it is an anonymous sign-in; with an email and a
 * password it creates a user. Sign-ups are confirmed at once (`MAILER_AUTOCONFIRM`, as the
 * local stack runs GoTrue: no mail is sent), so both answer with a session.
 */
export async function signup(request: HttpRequest, ctx: ServerContext): Promise<HttpReply> {
  const params = parseSignup(request);
  if (params.email === '' && params.phone === '') {
    ctx.authRateLimiter.check('anonymousSignIn', request.ip);
    return signupAnonymously(ctx, params);
  }
  ctx.authRateLimiter.check('signIn', request.ip);

  if (params.password === '') throw badRequest('validation_failed', 'Signup requires a valid password');
  const weak = checkPasswordStrength(params.password);
  if (weak) throw weak;
  if (params.email !== '' && params.phone !== '') {
    throw badRequest('validation_failed', 'Only an email address or phone number should be provided on signup.');
  }
  if (params.phone !== '') throw badRequest('phone_provider_disabled', 'Phone signups are disabled');
  const email = validateEmail(params.email);

  const encryptedPassword = await hashPassword(params.password);
  const session = await ctx.db.asOwner(async (tx) => {
    if (await findUserByEmail(tx, email)) throw unprocessable('user_already_exists', 'User already registered');
    const user = await insertUser(tx, {
      email,
      encryptedPassword,
      emailConfirmed: true,
      appMetadata: { provider: 'email', providers: ['email'] },
      userMetadata: params.data,
      isAnonymous: false,
    });
    return startSession(tx, ctx, user.id, 'password');
  });
  return { status: 200, json: session };
}

/** GoTrue's `SignupAnonymously`: a user with no email, phone or password, and empty `app_metadata`. */
async function signupAnonymously(ctx: ServerContext, params: SignupParams): Promise<HttpReply> {
  const session = await ctx.db.asOwner(async (tx) => {
    const user = await insertUser(tx, {
      email: null,
      encryptedPassword: null,
      emailConfirmed: false,
      appMetadata: {},
      userMetadata: params.data,
      isAnonymous: true,
    });
    return startSession(tx, ctx, user.id, 'anonymous');
  });
  return { status: 200, json: session };
}
