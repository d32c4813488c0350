import { type HttpApp, ProblemSchema, StrictObject } from '@emporium/platform';
import { Type } from 'typebox';
import type { VaultService } from '../contract/index.ts';
import { cardRejected } from '../errors.ts';

const TokenBody = StrictObject({
  number: Type.String({
    minLength: 1,
    maxLength: 40,
    description: 'The card number; spaces and dashes are ignored.',
  }),
  exp_month: Type.Integer({ description: 'Expiry month, 1–12.' }),
  exp_year: Type.Integer({ description: 'Expiry year, two or four digits.' }),
  cvc: Type.String({
    minLength: 1,
    maxLength: 8,
    description: '3 digits (4 for American Express). Never stored.',
  }),
  name: Type.Optional(Type.String({ maxLength: 200, description: 'The cardholder name.' })),
});

const TokenReply = Type.Object(
  {
    token: Type.String({ description: '`tok_…`: single-use unless saved to a customer.' }),
    brand: Type.String(),
    last4: Type.String(),
    exp_month: Type.Integer(),
    exp_year: Type.Integer(),
  },
  { additionalProperties: false },
);

/**
 * `POST /vault/tokens`: the only route that receives a card number. Answers the token and what
 * may be shown (brand, last 4, expiry), or 422 with a code (`invalid_card`, `card_expired`,
 * `invalid_cvc`, `invalid_expiry`) and a sentence naming the field, never echoing the number.
 */
export function registerTokenRoutes(app: HttpApp, vault: VaultService): void {
  app.post(
    '/vault/tokens',
    {
      schema: {
        tags: ['vault'],
        summary: 'Tokenize a card',
        body: TokenBody,
        response: { 201: TokenReply, 422: ProblemSchema },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const r = await vault.tokenize({
        number: b.number,
        expMonth: b.exp_month,
        expYear: b.exp_year,
        cvc: b.cvc,
        ...(b.name === undefined ? {} : { name: b.name }),
      });
      if (!r.ok) throw cardRejected(r);
      reply.code(201).header('cache-control', 'no-store');
      return {
        token: r.card.token,
        brand: r.card.brand,
        last4: r.card.last4,
        exp_month: r.card.expMonth,
        exp_year: r.card.expYear,
      };
    },
  );
}
