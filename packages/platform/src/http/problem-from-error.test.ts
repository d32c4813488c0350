import { describe, expect, it } from 'vitest';
import { AppError, notFound, validationFailed } from '../errors/app-error.ts';
import { problemFromError } from './problem-from-error.ts';

const context = { requestId: 'req_1', instance: '/store/carts/cart_1' };

function httpError(statusCode: number, message = 'internal details', code?: string): Error {
  return Object.assign(new Error(message), { statusCode, ...(code ? { code } : {}) });
}

describe('problemFromError', () => {
  it('keeps an AppError status, code, detail and extensions, without letting them replace standard members', () => {
    const error = new AppError('card_declined', 402, 'Your card was declined.', {
      extensions: { decline_code: 'generic', status: 200, request_id: 'forged' },
    });
    expect(problemFromError(error, context)).toEqual({
      type: 'https://emporium.dev/problems/card_declined',
      title: 'Card declined',
      status: 402,
      detail: 'Your card was declined.',
      code: 'card_declined',
      instance: '/store/carts/cart_1',
      request_id: 'req_1',
      decline_code: 'generic',
    });
  });

  it('renders the platform helpers', () => {
    expect(problemFromError(notFound('Cart cart_1'), context)).toMatchObject({
      status: 404,
      code: 'not_found',
      detail: 'Cart cart_1 was not found.',
    });
    const invalid = validationFailed('Check the address.', [
      { path: '/postal_code', message: 'is required' },
    ]);
    expect(problemFromError(invalid, context)).toMatchObject({
      status: 422,
      code: 'validation_failed',
      errors: [{ path: '/postal_code', message: 'is required' }],
    });
  });

  it('maps client errors from plugins by status, without their messages', () => {
    expect(problemFromError(httpError(401, 'jwt malformed'), context)).toMatchObject({
      status: 401,
      code: 'unauthorized',
      detail: 'Sign in or send valid credentials to use this endpoint.',
    });
    expect(problemFromError(httpError(429), context)).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(problemFromError(httpError(418, 'teapot internals'), context)).toMatchObject({
      status: 400,
      code: 'malformed_request',
      detail: 'The request could not be understood.',
    });
  });

  it('maps Fastify errors by code', () => {
    expect(problemFromError(httpError(413, 'x', 'FST_ERR_CTP_BODY_TOO_LARGE'), context)).toMatchObject({
      status: 413,
      code: 'payload_too_large',
    });
    expect(problemFromError(httpError(400, 'x', 'FST_ERR_CTP_EMPTY_JSON_BODY'), context)).toMatchObject({
      status: 400,
      code: 'malformed_request',
    });
  });

  it('answers anything else with a generic 500 that names only the request id', () => {
    for (const error of [
      new Error('relation "payments" does not exist'),
      httpError(502, 'upstream said 4242424242424242'),
      'a thrown string',
      undefined,
    ]) {
      const problem = problemFromError(error, context);
      expect(problem).toMatchObject({ status: 500, code: 'internal_error', request_id: 'req_1' });
      expect(JSON.stringify(problem)).not.toMatch(/relation|payments|4242|thrown/);
    }
  });

  it('passes a 503 through as service_unavailable', () => {
    expect(problemFromError(httpError(503), context)).toMatchObject({
      status: 503,
      code: 'service_unavailable',
    });
  });
});
