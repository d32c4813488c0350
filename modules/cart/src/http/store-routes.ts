import { AppError, authenticate, type HttpApp } from '@emporium/platform';
import type { FastifyRequest } from 'fastify';
import type { CartContext } from '../cart-context.ts';
import type { Cart, CartService } from '../contract/index.ts';
import { cartCompleted, cartNotFound, cartProblem, statusOf } from '../errors.ts';
import { addressProblem, createCart } from '../service/cart-service.ts';
import { changeLines, type WantedLine } from '../service/change-lines.ts';
import { priceCart, unitPrice } from '../service/price-cart.ts';
import {
  AddItemBody,
  CartParams,
  ChangeItemBody,
  ClaimCartBody,
  CreateCartBody,
  ItemParams,
  UpdateCartBody,
} from './schemas.ts';

const tags = ['cart (store)'];
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;
const CART_ID = /^cart_[0-9a-z]{26}$/;
const ITEM_ID = /^cli_[0-9a-z]{26}$/;

/** The signed-in customer's id when the request carries a customer's access token. */
async function customerOf(request: FastifyRequest): Promise<string | null> {
  const principal = await authenticate(request);
  return principal?.kind === 'customer' ? principal.subject : null;
}

/**
 * Lets the request through only with the cart's secret or its owner's token. Anything else (no
 * token, another cart's secret, another customer, an id that is no cart) is the same 404, so a
 * caller learns nothing about carts that are not theirs.
 */
async function authorize(request: FastifyRequest, service: CartService, id: string): Promise<void> {
  const token = BEARER.exec(request.headers.authorization ?? '')?.[1] ?? null;
  if (!token || !CART_ID.test(id)) throw cartNotFound();
  // Cart secrets start with cs_; anything else may be an access token (JWTs start with ey).
  const customerId = token.startsWith('cs_') ? null : await customerOf(request);
  if (!(await service.canAccess(id, { token, customerId }))) throw cartNotFound();
}

const validation = (path: string, message: string): AppError =>
  new AppError('validation_failed', 422, `The request is invalid: ${path.slice(1)} ${message}`, {
    extensions: { errors: [{ path, message }] },
  });

/**
 * `/store/carts/...`: carts for shoppers. Every route but creation needs the cart's secret (from
 * creation) or its owner's access token. Prices, totals and tax are always computed here.
 */
export function registerStoreRoutes(app: HttpApp, ctx: CartContext, service: CartService): void {
  const view = async (id: string): Promise<{ cart: Cart }> => {
    const cart = await service.getCart(id);
    if (!cart) throw cartNotFound();
    return { cart };
  };

  app.post(
    '/store/carts',
    {
      // A cart needs nothing to start: a request without a body is an empty one.
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
      schema: {
        tags,
        summary: 'Create a cart; answers its secret once',
        description:
          'Send `Authorization: Bearer <secret>` (or, for a signed-in customer, their access token) on every later call.',
        body: CreateCartBody,
      },
    },
    async (request, reply) => {
      const body = request.body;
      const problem =
        addressProblem(body.shipping_address, '/shipping_address') ??
        addressProblem(body.billing_address, '/billing_address');
      if (problem) throw validation(problem.split(':')[0] ?? '', problem.slice(problem.indexOf(':') + 2));
      const created = await createCart(ctx, {
        ...(body.currency_code ? { currencyCode: body.currency_code } : {}),
        email: body.email ?? null,
        shippingAddress: body.shipping_address ?? null,
        billingAddress: body.billing_address ?? null,
        customerId: await customerOf(request),
      });
      reply.code(201);
      return created;
    },
  );

  app.get(
    '/store/carts/:id',
    { schema: { tags, summary: 'A cart with items and totals', params: CartParams } },
    async (request) => {
      await authorize(request, service, request.params.id);
      return view(request.params.id);
    },
  );

  app.patch(
    '/store/carts/:id',
    {
      schema: {
        tags,
        summary: 'Set the email, addresses or shipping option',
        params: CartParams,
        body: UpdateCartBody,
      },
    },
    async (request) => {
      await authorize(request, service, request.params.id);
      const r = await service.update(request.params.id, request.body);
      if (r.ok) return { cart: r.cart };
      if (r.code === 'validation_failed') {
        throw validation(r.message.split(':')[0] ?? '', r.message.slice(r.message.indexOf(':') + 2));
      }
      throw cartProblem(r.code, statusOf[r.code] ?? 422, r.message);
    },
  );

  app.post(
    '/store/carts/:id/customer',
    {
      schema: {
        tags,
        summary: 'Give a guest cart to the signed-in customer',
        description:
          'Send the customer’s access token in `Authorization` and the cart’s secret in the body. The cart keeps its lines and stock hold and is then reachable with the customer’s token.',
        params: CartParams,
        body: ClaimCartBody,
      },
    },
    async (request) => {
      const customerId = await customerOf(request);
      if (!customerId) {
        throw new AppError('unauthorized', 401, 'Sign in as a customer to keep this cart in your account.');
      }
      if (!CART_ID.test(request.params.id)) throw cartNotFound();
      const r = await service.claim(request.params.id, request.body.secret, customerId);
      if (r.ok) return { cart: r.cart };
      if (r.code === 'cart_completed') throw cartProblem('cart_completed', 409, r.message);
      throw cartNotFound();
    },
  );

  app.post(
    '/store/carts/:id/items',
    { schema: { tags, summary: 'Add units of a variant', params: CartParams, body: AddItemBody } },
    async (request) => {
      const { id } = request.params;
      await authorize(request, service, id);
      const { variant_id, quantity } = request.body;
      const record = await ctx.readCart(id);
      if (!record) throw cartNotFound();
      if (record.cart.completed_at) throw cartCompleted();
      const variant = (await ctx.catalog.getVariantsForSale([variant_id])).get(variant_id);
      if (!variant) {
        throw cartProblem('variant_not_found', 422, `There is no variant ${variant_id}.`, { variant_id });
      }
      if (unitPrice(variant, record.cart.currency_code) === undefined) {
        throw cartProblem(
          'variant_not_for_sale',
          422,
          `"${variant.product_title} – ${variant.title}" cannot be bought in ${record.cart.currency_code.toUpperCase()}.`,
          { variant_id },
        );
      }
      await changeLines(ctx, id, (items) => {
        const existing = items.find((i) => i.variant_id === variant_id);
        if (existing && existing.quantity + quantity > 999) {
          throw validation(
            '/quantity',
            `would make ${existing.quantity + quantity} units of ${variant_id} in one line; a line holds at most 999.`,
          );
        }
        if (!existing && items.length >= ctx.maxLines) {
          throw cartProblem('too_many_items', 422, `A cart holds at most ${ctx.maxLines} lines.`);
        }
        const wanted: WantedLine[] = items.map((i) => ({
          id: i.id,
          variant_id: i.variant_id,
          quantity: i.id === existing?.id ? i.quantity + quantity : i.quantity,
        }));
        if (!existing) wanted.push({ variant_id, quantity });
        return wanted;
      });
      return view(id);
    },
  );

  const itemNotFound = () => cartProblem('cart_item_not_found', 404, 'This cart has no such line.');

  app.patch(
    '/store/carts/:id/items/:item_id',
    { schema: { tags, summary: 'Change the quantity of a line', params: ItemParams, body: ChangeItemBody } },
    async (request) => {
      const { id, item_id } = request.params;
      await authorize(request, service, id);
      if (!ITEM_ID.test(item_id)) throw itemNotFound();
      await changeLines(ctx, id, (items) => {
        if (!items.some((i) => i.id === item_id)) throw itemNotFound();
        return items.map((i) => ({
          id: i.id,
          variant_id: i.variant_id,
          quantity: i.id === item_id ? request.body.quantity : i.quantity,
        }));
      });
      return view(id);
    },
  );

  app.delete(
    '/store/carts/:id/items/:item_id',
    { schema: { tags, summary: 'Remove a line (its held stock goes back)', params: ItemParams } },
    async (request) => {
      const { id, item_id } = request.params;
      await authorize(request, service, id);
      if (!ITEM_ID.test(item_id)) throw itemNotFound();
      await changeLines(ctx, id, (items) => {
        if (!items.some((i) => i.id === item_id)) throw itemNotFound();
        return items
          .filter((i) => i.id !== item_id)
          .map((i) => ({ id: i.id, variant_id: i.variant_id, quantity: i.quantity }));
      });
      return view(id);
    },
  );

  app.get(
    '/store/carts/:id/shipping-options',
    {
      schema: {
        tags,
        summary: 'Shipping options for the cart’s address and items, priced',
        params: CartParams,
      },
    },
    async (request) => {
      const { id } = request.params;
      await authorize(request, service, id);
      const record = await ctx.readCart(id);
      if (!record) throw cartNotFound();
      const priced = await priceCart(ctx, record);
      if (!priced.rateQuery) {
        throw cartProblem(
          'shipping_address_required',
          422,
          'Add a shipping address to see shipping options.',
        );
      }
      const rates = await ctx.shipping.ratesFor(priced.rateQuery);
      return {
        data: rates.map((r) => ({
          id: r.option_id,
          name: r.name,
          description: r.description,
          carrier: r.carrier,
          price: r.price,
        })),
      };
    },
  );
}
