import type { ServerContext } from '../context.ts';
import type { HttpReply, HttpRequest } from './types.ts';

/** One API mounted under a path prefix (`/auth/v1`, `/rest/v1`, …). */
export interface Service {
  /** Path prefix without trailing slash. */
  readonly prefix: string;
  handle(request: HttpRequest, ctx: ServerContext): Promise<HttpReply>;
  /** Shapes an error met before or around the handler (body too large, unexpected failure) the way this API words errors. */
  error(status: number, message: string): HttpReply;
}
