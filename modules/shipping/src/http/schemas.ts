import { StrictObject } from '@emporium/platform';
import { Type } from 'typebox';

export const Id = (prefix: string) => Type.String({ pattern: `^${prefix}_[0-9a-z]{26}$` });
export const CountryCode = Type.String({
  pattern: '^[a-z]{2}$',
  description: 'ISO 3166-1 alpha-2, lower-case.',
});

export const MoneySchema = StrictObject({
  amount: Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'Integer minor units.' }),
  currency_code: Type.String({ pattern: '^[a-z]{3}$' }),
});
const MoneyList = Type.Array(MoneySchema, { maxItems: 50 });

export const RuleSchema = Type.Union([
  StrictObject({ kind: Type.Literal('flat') }),
  StrictObject({ kind: Type.Literal('free_above'), free_above: MoneyList }),
  StrictObject({
    kind: Type.Literal('weight'),
    brackets: Type.Array(
      StrictObject({
        up_to_grams: Type.Union([Type.Integer({ minimum: 0, maximum: 10_000_000 }), Type.Null()]),
        prices: MoneyList,
      }),
      { minItems: 1, maxItems: 50 },
    ),
  }),
]);

const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' });
const Countries = Type.Array(CountryCode, { maxItems: 250, uniqueItems: true });

export const ZoneBody = StrictObject({ name: Name, countries: Countries });
export const ZonePatch = StrictObject({ name: Type.Optional(Name), countries: Type.Optional(Countries) });

const optionFields = {
  name: Name,
  description: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
  carrier: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 50 }), Type.Null()])),
  rule: RuleSchema,
  prices: MoneyList,
  enabled: Type.Optional(Type.Boolean()),
  rank: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
};
export const OptionBody = StrictObject(optionFields);
export const OptionPatch = StrictObject({
  name: Type.Optional(optionFields.name),
  description: optionFields.description,
  carrier: optionFields.carrier,
  rule: Type.Optional(RuleSchema),
  prices: Type.Optional(MoneyList),
  enabled: optionFields.enabled,
  rank: optionFields.rank,
});
