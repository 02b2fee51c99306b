import type { Service } from './http/service.ts';

/** `GET /flock/health`: liveness, version and uptime, for scripts and the demo. */
export const healthService: Service = {
  prefix: '/flock/health',
  async handle(request, ctx) {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return { status: 405, json: { message: 'method not allowed' } };
    }
    return {
      status: 200,
      json: {
        status: 'ok',
        name: 'flock-kit',
        version: ctx.version,
        uptime: Math.round((Date.now() - ctx.startedAt) / 1000),
      },
    };
  },
  error: (status, message) => ({ status, json: { message } }),
};
