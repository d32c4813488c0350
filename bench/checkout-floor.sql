-- The checkout's floor (bench/checkout-floor.ts): the rows a checkout must write, on the shipped
-- schema, in as few statements as an ideal design could send, with no application in between.
-- Each statement is a round trip and its own transaction (no BEGIN/COMMIT).
--
-- Run by pgbench with `-D k=K`: each pgbench transaction writes K checkouts together (K = 1: one
-- checkout at a time; K > 1: checkouts of several shoppers batched into the same statements and
-- commits, as a server's one batcher would send them, over fewer connections). Checkouts n .. n+K-1 (cart `cart_f<n>`, its hold `res_f<n>` and card token
-- `tok_f<n>`, one line each) were seeded beforehand; the sequence steps by K.
--
-- Sets of keys are matched with `= any (array(...))`, which PostgreSQL looks up in the key's index
-- in every plan (an `in (select ...)` over generate_series may be planned as a scan of the table).
-- JSON literals keep a space after each colon, and a colon inside a string literal is followed by
-- a quote: pgbench reads `:word` anywhere in a command as a variable.

-- 1. What the server reads to price the carts and check their holds, in one read (the real
--    checkout sends seven).
select s.n, count(*) as carts, sum(r.quantity) as units, json_agg(r) as carts_read
  from (select nextval('public.floor_n') as n) s
  cross join lateral (
    select c.id, i.quantity, v.sku, v.prices, t.rate_bp, o.prices as shipping,
           (select count(*) from inventory.reservation_lines rl
             where rl.reservation_id = c.reservation_id and rl.held
               and rl.expires_at > now() + interval '10 minutes') as held
      from cart.carts c
      join cart.items i on i.cart_id = c.id
      join catalog.variants v on v.id = i.variant_id
      join shipping.options o on o.id = c.shipping_option_id
      left join cart.tax_regions t on t.country_code = 'us' and t.region = ''
     where c.id = any (array(select 'cart_f' || g from generate_series(s.n, s.n + :k::int - 1) g))
  ) r
 group by s.n
\gset

-- 2. The sagas, each claimed at its key, with the pending orders, their lines, their history and
--    their payment intents (the real checkout: a saga insert, then a transaction of six
--    statements, for each checkout).
with gs as (
  select g from generate_series(:n::bigint, :n::bigint + :k::int - 1) g
), s as (
  insert into checkout.sagas (id, cart_id, idempotency_key, request_hash, request, actor, status, step,
    step_count, reservation_id, order_id, payment_id, amount, currency_code, order_secret, lease_until,
    created_at, updated_at)
  select 'chk_f' || g, 'cart_f' || g, 'key_' || g, repeat('a', 64),
    '{"shipping_option_id": "sho_x","payment": {"token": "tok_x"},"email": "bench@example.com"}', 'cart',
    'running', 'authorizing', 2, 'res_f' || g, 'order_f' || g, 'pay_f' || g,
    3100, 'usd', repeat('s', 43), now() + interval '30 seconds', now(), now()
  from gs
  returning id
), o as (
  insert into orders.orders (id, number, status, payment_status, email, cart_id, currency_code,
    shipping_address, shipping_method, subtotal, shipping_total, tax_total, total, reservation_id,
    secret_hash, created_at, updated_at)
  select 'order_f' || g, nextval('orders.order_number_seq'), 'pending', 'not_paid',
    'bench@example.com', 'cart_f' || g, 'usd',
    '{"first_name": "Ada","last_name": "Lovelace","line1": "12 Analytical Row","city": "Springfield","postal_code": "12345","region": "il","country_code": "us"}',
    '{"optionId": "sho_x","name": "Standard","amount": 500}', 2500, 500, 100, 3100, 'res_f' || g,
    repeat('h', 64), now(), now()
  from gs
  returning id, cart_id
), l as (
  insert into orders.order_lines (id, order_id, position, variant_id, product_id, sku, title, variant_title,
    quantity, unit_price, total)
  select 'oline' || substr(o.id, 6), o.id, 0, i.variant_id, null, 'SKU', 'Checkout tee', 'One size',
    i.quantity, 2500, 2500 * i.quantity
  from o join cart.items i on i.cart_id = o.cart_id
), e as (
  insert into orders.order_events (id, order_id, kind, message, actor, data, at)
  select 'oevt_c' || o.id, o.id, 'created', 'Order created from cart', 'checkout', '{}', now() from o
), p as (
  insert into payments.intents (id, reference, amount, currency, status, created_at, updated_at)
  select 'pay' || substr(o.id, 6), o.id, 3100, 'usd', 'requires_authorization', now(), now() from o
)
select count(*) from s;

-- 3. Before the processor is asked: each card token claimed for its payment, the attempts recorded
--    under their idempotency keys, and the test processor's own record of each request.
with c as (
  update vault.cards set status = 'authorizing', claimed_by = 'pay' || substr(token, 4), claimed_at = now()
  where token = any (array(select 'tok_f' || g from generate_series(:n::bigint, :n::bigint + :k::int - 1) g))
    and status = 'active'
  returning substr(token, 4) as f
), a as (
  insert into payments.attempts (id, payment_id, idempotency_key, provider, status, created_at)
  select 'payatt' || f, 'pay' || f, 'checkout:' || 'chk' || f, 'vault', 'pending', now()
  from c
), r as (
  insert into vault.test_acquirer_requests (idempotency_key, operation, request_hash, result, created_at)
  select 'checkout:' || 'chk' || f, 'authorize', repeat('r', 64),
    '{"ok": true,"authorizationRef": "auth_x","card": {"brand": "visa","last4": "4242"}}', now()
  from c
)
select count(*) from c;

-- 4. The approvals and everything they make true, in one transaction: the tokens used, the
--    attempts and intents authorized, the holds sold (their lines, the stock levels, the ledger,
--    the reservations), the orders placed with their history, the carts completed, the sagas done
--    with the answers they replay, and the events (order placed with its lines, stock changed,
--    cart completed, payment authorized) in the outbox. A checkout whose hold was not sold writes
--    nothing.
with sold as (
  update inventory.reservation_lines set held = false
  where reservation_id = any (array(select 'res_f' || g from generate_series(:n::bigint, :n::bigint + :k::int - 1) g))
    and held and expires_at > now()
  returning substr(reservation_id, 4) as f, variant_id, quantity
), card as (
  update vault.cards set status = 'used', used_at = now()
  where token = any (array(select 'tok' || f from sold)) and claimed_by = 'pay' || substr(token, 4)
), att as (
  update payments.attempts set status = 'succeeded', finished_at = now(), tries = 1
  where id = any (array(select 'payatt' || f from sold))
), intent as (
  update payments.intents set status = 'authorized', amount_authorized = amount, provider = 'vault',
    authorization_ref = 'auth_x', card = '{"brand": "visa","last4": "4242","exp_month": 12,"exp_year": 2030}',
    updated_at = now()
  where id = any (array(select 'pay' || f from sold))
  returning id, amount
), units as (
  select variant_id, sum(quantity)::int as quantity from sold group by variant_id
), locked as (
  -- In variant order, as the inventory module locks stock rows: batches never deadlock.
  select s.variant_id from inventory.stock_levels s
  where s.location_id = 'default' and s.variant_id = any (array(select variant_id from units))
  order by s.variant_id
  for update
), lv as (
  update inventory.stock_levels s
  set on_hand = s.on_hand - units.quantity, reserved = s.reserved - units.quantity, version = s.version + 1,
      updated_at = now()
  from units join locked using (variant_id)
  where s.variant_id = units.variant_id and s.location_id = 'default'
  returning s.variant_id, s.on_hand, s.reserved
), adj as (
  insert into inventory.adjustments (id, variant_id, kind, delta, on_hand_after, reason, actor, reservation_id, created_at)
  select 'adj' || sold.f, sold.variant_id, 'sale', -sold.quantity, lv.on_hand, 'sale', 'inventory', 'res' || sold.f, now()
  from sold join lv using (variant_id)
), res as (
  update inventory.reservations set status = 'committed', settled_at = now()
  where id = any (array(select 'res' || f from sold))
), ord as (
  update orders.orders set status = 'placed', payment_status = 'authorized', payment_intent_id = 'pay' || substr(id, 6),
    placed_at = now(), updated_at = now(), version = version + 1
  where id = any (array(select 'order' || f from sold)) and status = 'pending'
  returning *
), placed as (
  select ord.id, ord.cart_id, substr(ord.id, 6) as f, to_jsonb(ord) - 'secret_hash'
    || jsonb_build_object('lines', (select jsonb_agg(to_jsonb(l) order by l.position) from orders.order_lines l where l.order_id = ord.id)) as body
  from ord
), oev as (
  insert into orders.order_events (id, order_id, kind, message, actor, data, at)
  select 'oevt_p' || placed.id, placed.id, 'placed', 'Order placed; payment authorized', 'checkout',
    jsonb_build_object('paymentIntentId', 'pay' || placed.f), now()
  from placed
), events as (
  insert into platform.outbox (id, type, key, payload, occurred_at)
  select 'evt_o' || placed.f, 'orders.order.placed.v1', placed.id, placed.body, now() from placed
  union all
  select 'evt_s' || sold.f, 'inventory.stock.changed.v1', lv.variant_id,
    jsonb_build_object('variantId', lv.variant_id, 'locationId', 'default', 'onHand', lv.on_hand,
      'reserved', lv.reserved, 'available', lv.on_hand - lv.reserved, 'reason', 'committed'), now()
  from sold join lv using (variant_id)
  union all
  select 'evt_c' || placed.f, 'cart.cart.completed.v1', placed.cart_id,
    jsonb_build_object('cartId', placed.cart_id, 'orderId', placed.id), now() from placed
  union all
  select 'evt_a' || substr(intent.id, 4), 'payments.payment.authorized.v1', intent.id,
    jsonb_build_object('paymentId', intent.id, 'amount', intent.amount, 'currency', 'usd'), now() from intent
), cart as (
  update cart.carts c set completed_at = now(), order_id = placed.id, updated_at = now(), version = c.version + 1
  from placed
  where c.id = placed.cart_id and c.completed_at is null
), saga as (
  update checkout.sagas s set step = 'done', status = 'completed', step_count = s.step_count + 1,
    response_status = 201, finished_at = now(), updated_at = now(),
    response_body = jsonb_build_object('order', placed.body, 'order_secret', s.order_secret)
  from placed
  where s.id = 'chk' || placed.f and s.step = 'authorizing'
)
select count(*) from placed;

-- 5. After the orders: their events published, and each confirmation email kept (marked handled
--    once for its consumer). Generous to the floor: consumers read the outbox directly, with no
--    deliveries table between.
with moved as (
  update platform.outbox set published_at = now()
  where id = any (array(
      select unnest(array['evt_o_f' || g, 'evt_s_f' || g, 'evt_c_f' || g, 'evt_a_f' || g])
      from generate_series(:n::bigint, :n::bigint + :k::int - 1) g))
    and published_at is null
  returning id, type, payload
), mark as (
  insert into platform.processed_events (consumer, event_id)
  select 'notify.order-confirmation', id from moved where type = 'orders.order.placed.v1'
  on conflict do nothing
  returning event_id
), msg as (
  insert into notify.messages (id, kind, to_address, subject, status, text_body, html_body, source_event_id, created_at)
  select 'msg' || substr(event_id, 6), 'order.confirmation', 'bench@example.com', 'Your order is confirmed', 'stored',
    repeat('Thank you for your order. ', 20), repeat('<p>Thank you for your order.</p>', 20), event_id, now()
  from mark
)
select count(*) from moved;
