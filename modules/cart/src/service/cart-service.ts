import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { newId, writeWithEvents } from '@emporium/platform';
import { sql } from 'kysely';
import { COUNTRY_CODES } from '../address/countries.ts';
import type { CartContext } from '../cart-context.ts';
import type {
  Address,
  Cart,
  CartAccess,
  CartChanges,
  CartCompleted,
  CartDetails,
  CartService,
  CheckoutCartResult,
  CompleteCartResult,
  PrepareCheckoutResult,
  RefreshReservationResult,
  UpdateCartResult,
} from '../contract/index.ts';
import { cartEvents } from '../contract/index.ts';
import { jsonbOrNull } from '../db/jsonb.ts';
import type { Trx } from '../db/tables.ts';
import type { CartRecord } from './cart-rows.ts';
import { type PricedCart, priceCart } from './price-cart.ts';

const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** A new cart secret: 256 random bits, shown once; only its hash is stored. */
export const newSecret = (): string => `cs_${randomBytes(32).toString('base64url')}`;

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A sentence about what is wrong with an address, or undefined (the HTTP schema checks the shape). */
export function addressProblem(address: Address | null | undefined, path: string): string | undefined {
  if (!address) return undefined;
  if (!COUNTRY_CODES.has(address.country_code)) {
    return `${path}/country_code: "${address.country_code}" is not an ISO 3166-1 alpha-2 country code.`;
  }
  return undefined;
}

export interface NewCart {
  currencyCode?: string;
  email?: string | null;
  shippingAddress?: Address | null;
  billingAddress?: Address | null;
  customerId: string | null;
}

/** Creates a cart; the secret is returned here and never again. */
export async function createCart(ctx: CartContext, input: NewCart): Promise<{ cart: Cart; secret: string }> {
  const secret = newSecret();
  const now = ctx.clock.now();
  const row = {
    id: newId('cart'),
    secret_hash: hashSecret(secret),
    currency_code: input.currencyCode ?? ctx.defaultCurrency,
    customer_id: input.customerId,
    email: input.email ?? null,
    shipping_address: input.shippingAddress ?? null,
    billing_address: input.billingAddress ?? null,
    created_at: now,
    updated_at: now,
  };
  await ctx.db.primary
    .insertInto('cart.carts')
    .values({
      ...row,
      shipping_address: jsonbOrNull(row.shipping_address),
      billing_address: jsonbOrNull(row.billing_address),
    })
    .execute();
  ctx.secretHashes.set(row.id, row.secret_hash);
  const record = await ctx.readCart(row.id);
  if (!record) throw new Error('cart vanished after insert');
  return { cart: (await priceCart(ctx, record)).view, secret };
}

/** The cart service over the module's tables and the catalog, inventory and shipping services. */
export function createCartService(ctx: CartContext): CartService {
  const get = async (id: string) => {
    const record = await ctx.readCart(id);
    return record ? { record, priced: await priceCart(ctx, record) } : undefined;
  };

  const service: CartService = {
    async canAccess(cartId, access: CartAccess) {
      if (access.token !== null) {
        const known = ctx.secretHashes.get(cartId);
        if (known !== undefined && secretMatches(access.token, known)) return true;
      }
      const row = await ctx.db.primary
        .selectFrom('cart.carts')
        .select(['secret_hash', 'customer_id'])
        .where('id', '=', cartId)
        .executeTakeFirst();
      if (!row) return false;
      ctx.secretHashes.set(cartId, row.secret_hash);
      if (access.token !== null && secretMatches(access.token, row.secret_hash)) return true;
      return access.customerId !== null && row.customer_id !== null && access.customerId === row.customer_id;
    },

    async claim(cartId, secret, customerId): Promise<UpdateCartResult> {
      const notFound = { ok: false, code: 'cart_not_found', message: 'This cart was not found.' } as const;
      const row = await ctx.db.primary
        .selectFrom('cart.carts')
        .select(['secret_hash', 'customer_id', 'completed_at'])
        .where('id', '=', cartId)
        .executeTakeFirst();
      if (!row || !secretMatches(secret, row.secret_hash)) return notFound;
      if (row.customer_id !== null && row.customer_id !== customerId) return notFound;
      if (row.completed_at) {
        return { ok: false, code: 'cart_completed', message: 'This cart has been checked out already.' };
      }
      // Guarded again in the statement: another customer's claim in between leaves it theirs.
      const r = await ctx.db.primary
        .updateTable('cart.carts')
        .set({ customer_id: customerId, updated_at: ctx.clock.now() })
        .where('id', '=', cartId)
        .where('completed_at', 'is', null)
        .where((eb) => eb.or([eb('customer_id', 'is', null), eb('customer_id', '=', customerId)]))
        .executeTakeFirst();
      if (r.numUpdatedRows === 0n) return notFound;
      const after = await get(cartId);
      return after ? { ok: true, cart: after.priced.view } : notFound;
    },

    async getCart(cartId) {
      return (await get(cartId))?.priced.view;
    },

    async update(cartId, changes: CartChanges): Promise<UpdateCartResult> {
      const opened = await openForChanges(ctx, cartId, changes);
      if (!opened.ok) return opened;
      const { record } = opened;
      const next = opened.next.cart;
      if (changes.shipping_option_id) {
        const priced = await priceCart(ctx, { cart: next, items: record.items });
        if (!priced.selected) {
          return {
            ok: false,
            code: 'shipping_option_unavailable',
            message: next.shipping_address
              ? 'This shipping option does not ship this cart to its shipping address; choose one from the cart’s shipping options.'
              : 'Add a shipping address before choosing a shipping option.',
          };
        }
      }
      const now = ctx.clock.now();
      // Details only: no version check needed (the version guards the lines and their hold).
      const r = await ctx.db.primary
        .updateTable('cart.carts')
        .set({
          email: next.email,
          shipping_address: jsonbOrNull(next.shipping_address),
          billing_address: jsonbOrNull(next.billing_address),
          shipping_option_id: next.shipping_option_id,
          updated_at: now,
        })
        .where('id', '=', cartId)
        .where('completed_at', 'is', null)
        .executeTakeFirst();
      if (r.numUpdatedRows === 0n) {
        return { ok: false, code: 'cart_completed', message: 'This cart has been checked out already.' };
      }
      const after = await get(cartId);
      if (!after) return { ok: false, code: 'cart_not_found', message: 'This cart was not found.' };
      return { ok: true, cart: after.priced.view };
    },

    async getForCheckout(cartId): Promise<CheckoutCartResult> {
      const found = await get(cartId);
      if (!found) return { ok: false, code: 'cart_not_found', message: 'This cart was not found.' };
      return checkoutCart(found.record, found.priced, ctx.clock.now());
    },

    async refreshReservation(cartId, options = {}): Promise<RefreshReservationResult> {
      const record = await ctx.readCart(cartId);
      if (!record) return { ok: false, code: 'cart_not_found', message: 'This cart was not found.' };
      if (record.cart.completed_at) {
        return { ok: false, code: 'cart_completed', message: 'This cart has been checked out already.' };
      }
      if (record.items.length === 0) return { ok: false, code: 'cart_empty', message: 'The cart is empty.' };
      const held = await holdStock(ctx, record, options.ttlMs);
      if (!held.ok) return held;
      await ctx.db.primary
        .updateTable('cart.carts')
        .set({ reservation_id: held.reservation_id, reservation_expires_at: new Date(held.expires_at) })
        .where('id', '=', cartId)
        .execute();
      return held;
    },

    async prepareCheckout(cartId, changes, options = {}): Promise<PrepareCheckoutResult> {
      const opened = await openForChanges(ctx, cartId, changes);
      if (!opened.ok) return opened;
      const { next } = opened;
      const missing = [
        ...(next.cart.email ? [] : (['email'] as const)),
        ...(next.cart.shipping_address ? [] : (['shipping_address'] as const)),
      ];
      if (missing[0]) {
        const code = missing[0] === 'email' ? 'email_required' : 'shipping_address_required';
        return { ok: false, code, message: 'Add the missing details.', missing };
      }
      // Pricing and the look at the cart's hold are both reads of the cart as read just now: in
      // parallel (one round trip less in a row). A cart not ready to pay wasted the hold's read.
      const [priced, kept] = await Promise.all([priceCart(ctx, next), currentHold(ctx, next, options.ttlMs)]);
      const ready = checkoutCart(next, priced, ctx.clock.now());
      if (!ready.ok) return ready;
      const held = kept ?? (await holdStock(ctx, next, options.ttlMs));
      const c = next.cart;
      // Nothing to write when the hold is kept and the details are those already saved (a
      // checkout that only names the shipping option the cart has): the cart was read open just
      // now, and only a checkout of this cart, of which one runs at a time, could complete it. A
      // caller that writes next anyway may save new details there (saveDetailsMany).
      const unchanged = sameDetails(opened.record.cart, c);
      if (kept && (unchanged || options.saveDetails === 'caller')) {
        const reservation = { id: kept.reservation_id, expires_at: kept.expires_at };
        return {
          ok: true,
          cart: { ...ready.cart, reservation },
          ...(unchanged ? {} : { unsavedDetails: detailsOf(cartId, c) }),
        };
      }
      // The details and the new hold in one write; details are kept even when stock is short.
      const saved = await ctx.db.primary
        .updateTable('cart.carts')
        .set({
          email: c.email,
          shipping_address: jsonbOrNull(c.shipping_address),
          billing_address: jsonbOrNull(c.billing_address),
          shipping_option_id: c.shipping_option_id,
          ...(held.ok
            ? { reservation_id: held.reservation_id, reservation_expires_at: new Date(held.expires_at) }
            : {}),
          updated_at: ctx.clock.now(),
        })
        .where('id', '=', cartId)
        .where('completed_at', 'is', null)
        .executeTakeFirst();
      if (saved.numUpdatedRows === 0n) {
        // Checked out by another request meanwhile: the hold just made is not needed.
        if (held.ok) await ctx.inventory.release(held.reservation_id);
        return { ok: false, code: 'cart_completed', message: 'This cart has been checked out already.' };
      }
      if (!held.ok) return { ...held, cart: ready.cart };
      const reservation = { id: held.reservation_id, expires_at: held.expires_at };
      return { ok: true, cart: { ...ready.cart, reservation } };
    },

    async saveDetailsMany(details, trx) {
      if (details.length === 0) return;
      const ids = details.map((d) => d.cart_id);
      // One statement for every cart; the ids also as an array, so the carts are read by key
      // (PostgreSQL guesses a hundred rows from jsonb_to_recordset).
      const { rows } = await sql<{ id: string }>`
        update cart.carts c
        set email = v.email, shipping_address = v.shipping_address, billing_address = v.billing_address,
          shipping_option_id = v.shipping_option_id, updated_at = ${ctx.clock.now()}
        from jsonb_to_recordset(${JSON.stringify(details)}::jsonb) as v(cart_id text, email text,
          shipping_address jsonb, billing_address jsonb, shipping_option_id text)
        where c.id = v.cart_id and c.id = any(${ids}::text[]) and c.completed_at is null
        returning c.id`.execute(trx);
      if (rows.length !== details.length) {
        const saved = new Set(rows.map((r) => r.id));
        throw new Error(`cart ${ids.find((id) => !saved.has(id))} was completed while its checkout ran`);
      }
    },

    async complete(cartId, { orderId }, trx): Promise<CompleteCartResult> {
      const results = await service.completeMany([{ cartId, orderId }], trx);
      const result = results.get(cartId);
      if (!result) throw new Error(`no outcome for cart ${cartId}`);
      return result;
    },

    async completeMany(completions, trx) {
      const cartIds = completions.map((c) => c.cartId);
      if (new Set(cartIds).size !== cartIds.length) throw new Error('completeMany: a cart is named twice');
      const now = ctx.clock.now();
      const orderIds = completions.map((c) => c.orderId);
      const run = async (t: Trx) => {
        const outcomes = new Map<string, 'completed' | 'ok' | 'cart_not_found' | 'cart_completed'>();
        if (completions.length === 0) return outcomes;
        // One guarded update completes the open carts, each with its event in the same statement
        // (the customer id copied from its row); only a cart it did not change is read, to tell an
        // unknown cart, the same order again (idempotent) and another order apart.
        const rows = await writeWithEvents(
          t,
          t
            .updateTable('cart.carts')
            .set({
              completed_at: now,
              order_id: sql<string>`(${orderIds}::text[])[array_position(${cartIds}::text[], id)]`,
              updated_at: now,
              version: (eb) => eb('version', '+', 1),
            })
            .where(sql<boolean>`id = any(${cartIds}::text[])`)
            .where('completed_at', 'is', null)
            .returning(['id', 'customer_id']),
          completions.map(({ cartId, orderId }) => {
            const payload: Omit<CartCompleted, 'customer_id'> = {
              cart_id: cartId,
              order_id: orderId,
              completed_at: now.toISOString(),
            };
            return { type: cartEvents.cartCompleted, key: cartId, payload };
          }),
          ctx.clock,
          { byKey: 'id', fields: { customer_id: 'customer_id' } },
        );
        for (const row of rows) outcomes.set(row.id, 'completed');
        for (const { cartId, orderId } of completions) {
          if (outcomes.has(cartId)) continue;
          const found = await t
            .selectFrom('cart.carts')
            .select('order_id')
            .where('id', '=', cartId)
            .executeTakeFirst();
          outcomes.set(
            cartId,
            !found ? 'cart_not_found' : found.order_id === orderId ? 'ok' : 'cart_completed',
          );
        }
        return outcomes;
      };
      const outcomes = trx ? await run(trx as Trx) : await ctx.db.transaction(run);
      // In the caller's transaction the events are not visible yet: the caller nudges after its commit.
      if (!trx && [...outcomes.values()].includes('completed')) ctx.nudge();
      const results = new Map<string, CompleteCartResult>();
      for (const [cartId, outcome] of outcomes) {
        results.set(
          cartId,
          outcome === 'ok' || outcome === 'completed'
            ? { ok: true }
            : {
                ok: false,
                code: outcome,
                message:
                  outcome === 'cart_not_found'
                    ? 'This cart was not found.'
                    : 'This cart has been checked out already.',
              },
        );
      }
      return results;
    },
  };
  return service;
}

/**
 * Checks a priced cart as checkout needs it (not completed, not empty, every line for sale, email,
 * address, an option shipping there) and shapes it; `reservation` is the cart's live hold.
 */
function checkoutCart(record: CartRecord, priced: PricedCart, now: Date): CheckoutCartResult {
  const { view } = priced;
  const c = record.cart;
  if (c.completed_at)
    return { ok: false, code: 'cart_completed', message: 'This cart has been checked out already.' };
  if (view.items.length === 0) return { ok: false, code: 'cart_empty', message: 'The cart is empty.' };
  const gone = view.items.find((i) => !i.available);
  if (gone) {
    return {
      ok: false,
      code: 'item_unavailable',
      message: `"${gone.product_title || gone.variant_id}" can no longer be bought; remove it from the cart.`,
      item_id: gone.id,
    };
  }
  if (!c.email) return { ok: false, code: 'email_required', message: 'Add an email address.' };
  if (!c.shipping_address) {
    return { ok: false, code: 'shipping_address_required', message: 'Add a shipping address.' };
  }
  if (!c.shipping_option_id) {
    return { ok: false, code: 'shipping_option_required', message: 'Choose a shipping option.' };
  }
  if (!priced.selected || !view.shipping_option) {
    return {
      ok: false,
      code: 'shipping_option_unavailable',
      message: 'The chosen shipping option does not ship to this address; choose another.',
    };
  }
  const reservation =
    c.reservation_id && c.reservation_expires_at && c.reservation_expires_at > now
      ? { id: c.reservation_id, expires_at: c.reservation_expires_at.toISOString() }
      : null;
  return {
    ok: true,
    cart: {
      id: c.id,
      currency_code: c.currency_code,
      customer_id: c.customer_id,
      email: c.email,
      shipping_address: c.shipping_address,
      billing_address: c.billing_address ?? c.shipping_address,
      lines: view.items.map((i) => ({
        item_id: i.id,
        variant_id: i.variant_id,
        product_id: i.product_id,
        product_title: i.product_title,
        sku: i.sku,
        title: i.title,
        quantity: i.quantity,
        unit_price: i.unit_price,
        subtotal: i.subtotal,
        tax_total: i.tax_total,
        weight_grams: i.weight_grams,
      })),
      shipping_option: view.shipping_option,
      subtotal: view.subtotal,
      shipping_total: view.shipping_total,
      tax_total: view.tax_total,
      total: view.total,
      tax_inclusive: view.tax_inclusive,
      reservation,
    },
  };
}

/** The cart's lines as the inventory holds them. */
const holdLines = (record: CartRecord) =>
  record.items.map((i) => ({ variantId: i.variant_id, quantity: i.quantity }));

/**
 * The cart's current hold, when it still holds the cart's lines for at least `ttlMs` (the cart's
 * hold time by default) from now: then it needs no renewal (one read instead of a renewal's
 * transaction). Every change of the lines replaces the hold, so a live hold of the same lines is
 * the hold of these lines.
 */
async function currentHold(
  ctx: CartContext,
  record: CartRecord,
  ttlMs: number | undefined,
): Promise<Extract<RefreshReservationResult, { ok: true }> | null> {
  const id = record.cart.reservation_id;
  if (!id) return null;
  const lasting = await ctx.inventory.lastingHold(id, holdLines(record), {
    ttlMs: ttlMs ?? ctx.reservationTtlMs,
  });
  return lasting ? { ok: true, reservation_id: id, expires_at: lasting.expiresAt.toISOString() } : null;
}

/** Holds the cart's lines for `ttlMs` (the cart's hold time by default), replacing its hold. */
async function holdStock(
  ctx: CartContext,
  record: CartRecord,
  ttlMs: number | undefined,
): Promise<
  | Extract<RefreshReservationResult, { ok: true }>
  | Extract<RefreshReservationResult, { code: 'out_of_stock' }>
> {
  const held = await ctx.inventory.reserve(record.cart.id, holdLines(record), {
    ttlMs: ttlMs ?? ctx.reservationTtlMs,
  });
  if (held.ok) {
    return { ok: true, reservation_id: held.reservationId, expires_at: held.expiresAt.toISOString() };
  }
  const shortages = held.shortages.map((s) => ({
    item_id: record.items.find((i) => i.variant_id === s.variantId)?.id ?? '',
    variant_id: s.variantId,
    requested: s.requested,
    available: s.available,
  }));
  return {
    ok: false,
    code: 'out_of_stock',
    message: `Not enough stock for ${shortages.map((s) => s.variant_id).join(', ')}.`,
    shortages,
  };
}

/**
 * The cart, if it exists and is still open, with `changes` applied in memory (`next`), after the
 * checks the schema cannot make (country codes).
 */
async function openForChanges(
  ctx: CartContext,
  cartId: string,
  changes: CartChanges,
): Promise<
  | { ok: true; record: CartRecord; next: CartRecord }
  | { ok: false; code: 'cart_not_found' | 'cart_completed' | 'validation_failed'; message: string }
> {
  const record = await ctx.readCart(cartId);
  if (!record) return { ok: false, code: 'cart_not_found', message: 'This cart was not found.' };
  if (record.cart.completed_at) {
    return { ok: false, code: 'cart_completed', message: 'This cart has been checked out already.' };
  }
  const problem =
    addressProblem(changes.shipping_address, '/shipping_address') ??
    addressProblem(changes.billing_address, '/billing_address');
  if (problem) return { ok: false, code: 'validation_failed', message: problem };
  return { ok: true, record, next: { cart: withChanges(record.cart, changes), items: record.items } };
}

/** A cart's checkout details, to save later (prepareCheckout's `saveDetails: 'caller'`). */
function detailsOf(cartId: string, cart: CartRecord['cart']): CartDetails {
  return {
    cart_id: cartId,
    email: cart.email,
    shipping_address: cart.shipping_address,
    billing_address: cart.billing_address,
    shipping_option_id: cart.shipping_option_id,
  };
}

/** Whether a checkout's details (email, addresses, shipping option) are those the cart has saved. */
function sameDetails(saved: CartRecord['cart'], next: CartRecord['cart']): boolean {
  return (
    saved.email === next.email &&
    saved.shipping_option_id === next.shipping_option_id &&
    JSON.stringify(saved.shipping_address) === JSON.stringify(next.shipping_address) &&
    JSON.stringify(saved.billing_address) === JSON.stringify(next.billing_address)
  );
}

/** The cart row with `changes` applied (fields left undefined stay as they are). */
function withChanges(cart: CartRecord['cart'], changes: CartChanges): CartRecord['cart'] {
  return {
    ...cart,
    ...(changes.email === undefined ? {} : { email: changes.email }),
    ...(changes.shipping_address === undefined ? {} : { shipping_address: changes.shipping_address }),
    ...(changes.billing_address === undefined ? {} : { billing_address: changes.billing_address }),
    ...(changes.shipping_option_id === undefined ? {} : { shipping_option_id: changes.shipping_option_id }),
  };
}
