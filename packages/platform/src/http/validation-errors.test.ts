import type { FastifySchemaValidationError } from 'fastify';
import { describe, expect, it } from 'vitest';
import { describeValidationFailure, toFieldErrors } from './validation-errors.ts';

const issue = (
  keyword: string,
  instancePath: string,
  params: Record<string, unknown>,
  message?: string,
): FastifySchemaValidationError => ({ keyword, instancePath, schemaPath: '#', params, message });

describe('toFieldErrors', () => {
  it('points at the missing or unknown property itself, escaped as JSON pointer', () => {
    expect(
      toFieldErrors([
        issue('required', '/shipping_address', { missingProperty: 'postal_code' }),
        issue('additionalProperties', '', { additionalProperty: 'a/b~c' }),
      ]),
    ).toEqual([
      { path: '/shipping_address/postal_code', message: 'is required' },
      { path: '/a~1b~0c', message: 'is not allowed' },
    ]);
  });

  it('lists the allowed values of an enum or constant', () => {
    expect(toFieldErrors([issue('enum', '/status', { allowedValues: ['draft', 'published'] })])).toEqual([
      { path: '/status', message: 'must be one of: "draft", "published"' },
    ]);
    expect(toFieldErrors([issue('const', '/kind', { allowedValue: 'card' })])).toEqual([
      { path: '/kind', message: 'must be one of: "card"' },
    ]);
  });

  it('reports a union that no branch matched once, listing what its branches accept', () => {
    expect(
      toFieldErrors([
        issue('const', '/status', { allowedValue: 'draft' }, 'must be equal to constant'),
        issue('const', '/status', { allowedValue: 'published' }, 'must be equal to constant'),
        issue('type', '/status', { type: 'null' }, 'must be null'),
        issue('anyOf', '/status', {}, 'must match a schema in anyOf'),
        issue('type', '/note', { type: 'string' }, 'must be string'),
      ]),
    ).toEqual([
      { path: '/status', message: 'must be one of: "draft", "published", null' },
      { path: '/note', message: 'must be string' },
    ]);
  });

  it('keeps the errors inside object branches of a union', () => {
    expect(
      toFieldErrors([
        issue('type', '/payment', { type: 'string' }, 'must be string'),
        issue('required', '/payment', { missingProperty: 'token' }),
        issue('required', '/payment', { missingProperty: 'card_id' }),
        issue('anyOf', '/payment', {}, 'must match a schema in anyOf'),
      ]),
    ).toEqual([
      { path: '/payment', message: 'must be string' },
      { path: '/payment/token', message: 'is required' },
      { path: '/payment/card_id', message: 'is required' },
      { path: '/payment', message: 'must match a schema in anyOf' },
    ]);
  });

  it('keeps Ajv messages for other keywords and drops duplicates', () => {
    const tooSmall = issue('minimum', '/quantity', { limit: 1 }, 'must be >= 1');
    expect(toFieldErrors([tooSmall, tooSmall, issue('type', '/x', {})])).toEqual([
      { path: '/quantity', message: 'must be >= 1' },
      { path: '/x', message: 'is invalid' },
    ]);
  });

  it('reports at most 50 problems', () => {
    const many = Array.from({ length: 80 }, (_, i) =>
      issue('additionalProperties', '', { additionalProperty: `f${i}` }),
    );
    expect(toFieldErrors(many)).toHaveLength(50);
  });
});

describe('describeValidationFailure', () => {
  it('names the part and the first three problems', () => {
    const errors = ['/a', '/b', '/c', '/d', '/e'].map((path) => ({ path, message: 'is required' }));
    expect(describeValidationFailure('body', errors)).toBe(
      'The request body is invalid: /a is required; /b is required; /c is required and 2 more (see errors).',
    );
    expect(describeValidationFailure('querystring', [{ path: '', message: 'must be object' }])).toBe(
      'The query string is invalid: (root) must be object.',
    );
  });
});
