import type { HttpApp } from '@emporium/platform';
import { type Html, html } from '@emporium/storefront';
import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { problemText, withQuery } from '../api/admin-api.ts';
import { amountText, formatDate, formatMoney, parseAmount } from '../html/format.ts';
import { csrfField } from '../html/layout.ts';
import { type Dashboard, field, redirectWith, type StaffRequest, sendPage, staffRequest } from './context.ts';

interface Money {
  amount: number;
  currency_code: string;
}
interface Variant {
  id: string;
  sku: string;
  title: string;
  options: Record<string, string>;
  prices: Money[];
  weight_grams: number | null;
}
interface Image {
  url: string;
  alt: string;
  width: number;
  height: number;
}
export interface Product {
  id: string;
  handle: string;
  title: string;
  description: string | null;
  status: 'draft' | 'published' | 'archived';
  options: Array<{ title: string; values: string[] }>;
  variants: Variant[];
  images: Image[];
  version: number;
  created_at: string;
  updated_at: string;
}
interface StockLevel {
  variant_id: string;
  on_hand: number;
  reserved: number;
  available: number;
}

const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  status: Type.Optional(Type.String({ maxLength: 20 })),
  category: Type.Optional(Type.String({ maxLength: 100 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});
const IdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });
const STATUSES = ['draft', 'published', 'archived'] as const;
/** Largest image file the upload form takes (the media API's own limit). */
const IMAGE_MAX_BYTES = 10 * 1024 * 1024;
/** A file part of the upload form, as the multipart parser leaves it in the body. */
interface FilePart {
  bytes: Buffer;
  type: string;
}
const BLANK_VARIANT_ROWS = 2;

/** Products: a keyset-paged list with search and filters (no counts), create and edit, publish. */
export function registerProductPages(app: HttpApp, d: Dashboard): void {
  app.get(
    '/admin/ui/products',
    { schema: { hide: true, querystring: ListQuery } },
    async (request, reply) => {
      const who = await staffRequest(d, request, reply, 'catalog:read');
      if (!who) return reply;
      const q = request.query;
      const status = STATUSES.find((s) => s === q.status);
      const res = await who.call<{ data: Product[]; next_cursor: string | null }>({
        method: 'GET',
        path: withQuery('/admin/products', {
          q: q.q && q.q.length > 0 ? q.q : undefined,
          status,
          category: q.category,
          cursor: q.cursor,
          limit: 25,
        }),
      });
      const rows = res.status === 200 ? res.body.data : [];
      const next =
        res.status === 200 && res.body.next_cursor
          ? withQuery('/admin/ui/products', {
              q: q.q,
              status,
              category: q.category,
              cursor: res.body.next_cursor,
            })
          : null;
      return sendPage(
        d,
        request,
        reply,
        who,
        'Products',
        html`<h1>Products</h1>
${who.can('catalog:write') ? html`<p><a class="button" href="/admin/ui/products/new">New product</a></p>` : ''}
<form class="filters" method="get" action="/admin/ui/products" role="search" aria-label="Filter products">
<div><label for="f-q">Title contains</label><input id="f-q" name="q" type="search" value="${q.q ?? ''}" maxlength="100"></div>
<div><label for="f-status">Status</label><select id="f-status" name="status"><option value="">Any</option>${STATUSES.map((s) => html`<option value="${s}"${s === status ? html` selected` : ''}>${s}</option>`)}</select></div>
<div><label for="f-category">Category (id or handle)</label><input id="f-category" name="category" value="${q.category ?? ''}" maxlength="100"></div>
<button type="submit">Filter</button>
</form>
${res.status === 200 ? '' : html`<p class="flash error" role="alert">${problemText(res, 'The products could not be listed.')}</p>`}
<table>
<caption class="visually-hidden">Products, newest first</caption>
<thead><tr><th scope="col">Title</th><th scope="col">Handle</th><th scope="col">Status</th><th scope="col" class="num">Variants</th><th scope="col">Price</th><th scope="col">Updated</th></tr></thead>
<tbody>
${rows.length === 0 ? html`<tr><td colspan="6">No products match.</td></tr>` : ''}
${rows.map(
  (p) =>
    html`<tr><td><a href="/admin/ui/products/${p.id}">${p.title}</a></td><td>${p.handle}</td><td><span class="badge">${p.status}</span></td><td class="num">${p.variants.length}</td><td>${formatMoney(p.variants[0]?.prices[0])}</td><td>${formatDate(p.updated_at)}</td></tr>`,
)}
</tbody>
</table>
<nav aria-label="Pages">${q.cursor ? html`<a href="${withQuery('/admin/ui/products', { q: q.q, status, category: q.category })}">First page</a> ` : ''}${next ? html`<a href="${next}">Next page</a>` : ''}</nav>`,
      );
    },
  );

  app.get('/admin/ui/products/new', { schema: { hide: true } }, async (request, reply) => {
    const who = await staffRequest(d, request, reply, 'catalog:write');
    if (!who) return reply;
    return sendPage(d, request, reply, who, 'New product', productForm(who, null, emptyValues()));
  });

  app.post('/admin/ui/products', { schema: { hide: true } }, async (request, reply) => {
    const who = await staffRequest(d, request, reply, 'catalog:write');
    if (!who) return reply;
    const values = readForm(request.body);
    const parsed = toProductBody(values);
    if ('error' in parsed) return formError(d, request, reply, who, null, values, parsed.error);
    const res = await who.call<{ product: Product }>({
      method: 'POST',
      path: '/admin/products',
      body: {
        ...parsed.product,
        status: values.status === 'published' ? 'published' : 'draft',
        variants: parsed.variants.map(({ id: _id, ...v }) => v),
      },
    });
    if (res.status !== 201) {
      return formError(
        d,
        request,
        reply,
        who,
        null,
        values,
        problemText(res, 'The product could not be created.'),
      );
    }
    return redirectWith(d, request, reply, who, `/admin/ui/products/${res.body.product.id}`, {
      kind: 'notice',
      text: `Created “${res.body.product.title}”.`,
    });
  });

  app.get('/admin/ui/products/:id', { schema: { hide: true, params: IdParams } }, async (request, reply) => {
    const who = await staffRequest(d, request, reply, 'catalog:read');
    if (!who) return reply;
    const res = await who.call<{ product: Product }>({
      method: 'GET',
      path: `/admin/products/${request.params.id}`,
    });
    if (res.status !== 200) return notFound(d, request, reply, who, 'product');
    const product = res.body.product;
    const stock = who.can('inventory:read')
      ? await levels(
          who,
          product.variants.map((v) => v.id),
        )
      : null;
    return sendPage(
      d,
      request,
      reply,
      who,
      product.title,
      html`${productForm(who, product, valuesOf(product))}${imagesSection(who, product)}${stockTable(who, product, stock)}`,
    );
  });

  app.post('/admin/ui/products/:id', { schema: { hide: true, params: IdParams } }, async (request, reply) => {
    const who = await staffRequest(d, request, reply, 'catalog:write');
    if (!who) return reply;
    const id = request.params.id;
    const current = await who.call<{ product: Product }>({ method: 'GET', path: `/admin/products/${id}` });
    if (current.status !== 200) return notFound(d, request, reply, who, 'product');
    const values = readForm(request.body);
    const parsed = toProductBody(values);
    if ('error' in parsed)
      return formError(d, request, reply, who, current.body.product, values, parsed.error);
    const version = Number(field(request.body, 'version', 20)) || undefined;
    const patch = await who.call<{ product: Product }>({
      method: 'PATCH',
      path: `/admin/products/${id}`,
      body: { ...parsed.product, ...(version ? { version } : {}) },
    });
    if (patch.status !== 200) {
      const text =
        patch.status === 409 && (patch.body as { code?: string })?.code === 'version_conflict'
          ? 'Someone else changed this product since you opened it. Reload the page to see their changes.'
          : problemText(patch, 'The product could not be saved.');
      return formError(d, request, reply, who, current.body.product, values, text);
    }
    const existing = new Map(current.body.product.variants.map((v) => [v.id, v]));
    for (const v of parsed.variants) {
      const { id: variantId, ...body } = v;
      const res =
        variantId && existing.has(variantId)
          ? await who.call({ method: 'PATCH', path: `/admin/products/${id}/variants/${variantId}`, body })
          : await who.call({ method: 'POST', path: `/admin/products/${id}/variants`, body });
      if (res.status !== 200 && res.status !== 201) {
        return formError(
          d,
          request,
          reply,
          who,
          current.body.product,
          values,
          problemText(res, `Variant ${v.sku} could not be saved.`),
        );
      }
    }
    for (const removed of values.remove) {
      if (!existing.has(removed)) continue;
      const res = await who.call({ method: 'DELETE', path: `/admin/products/${id}/variants/${removed}` });
      if (res.status !== 200) {
        return formError(
          d,
          request,
          reply,
          who,
          current.body.product,
          values,
          problemText(res, 'The variant could not be removed.'),
        );
      }
    }
    return redirectWith(d, request, reply, who, `/admin/ui/products/${id}`, {
      kind: 'notice',
      text: 'Saved.',
    });
  });

  // The image upload posts multipart/form-data; only this scope parses it (one file ≤ 10 MB, two
  // small fields). The dashboard's CSRF check runs after the parse, on the `_csrf` field.
  void app.register(async (plugin) => {
    const scope = plugin as unknown as HttpApp;
    await scope.register(multipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: IMAGE_MAX_BYTES, files: 1, fields: 2, parts: 3, fieldSize: 2048 },
      async onFile(part) {
        const file: FilePart = { bytes: await part.toBuffer(), type: part.mimetype };
        (part as unknown as { value: FilePart }).value = file;
      },
    });
    scope.post(
      '/admin/ui/products/:id/images',
      { schema: { hide: true, params: IdParams } },
      async (request, reply) => {
        const who = await staffRequest(d, request, reply, 'catalog:write');
        if (!who) return reply;
        const id = request.params.id;
        const back = `/admin/ui/products/${id}`;
        const fail = (text: string) => redirectWith(d, request, reply, who, back, { kind: 'error', text });
        const file = (request.body as { image?: FilePart } | undefined)?.image;
        if (!file || !Buffer.isBuffer(file.bytes) || file.bytes.length === 0) {
          return fail('Choose an image file to upload.');
        }
        const alt = field(request.body, 'alt', 500);
        const uploaded = await who.upload<{ url: string; width: number; height: number }>(
          '/admin/media',
          file.bytes,
          imageType(file.bytes) ?? file.type,
        );
        if (uploaded.status !== 201) return fail(problemText(uploaded, 'The image could not be uploaded.'));
        const image = {
          url: uploaded.body.url,
          alt,
          width: uploaded.body.width,
          height: uploaded.body.height,
        };
        const res = await changeImages(who, id, (images) =>
          images.some((i) => i.url === image.url) ? null : [...images, image],
        );
        if (res.kind === 'unchanged') return fail('This image is already on the product.');
        if (res.kind === 'failed') return fail(res.text);
        return redirectWith(d, request, reply, who, back, { kind: 'notice', text: 'Image added.' });
      },
    );
  });

  app.post(
    '/admin/ui/products/:id/images/remove',
    { schema: { hide: true, params: IdParams } },
    async (request, reply) => {
      const who = await staffRequest(d, request, reply, 'catalog:write');
      if (!who) return reply;
      const id = request.params.id;
      const url = field(request.body, 'url', 2000);
      const res = await changeImages(who, id, (images) =>
        images.some((i) => i.url === url) ? images.filter((i) => i.url !== url) : null,
      );
      return redirectWith(
        d,
        request,
        reply,
        who,
        `/admin/ui/products/${id}`,
        res.kind === 'changed'
          ? { kind: 'notice', text: 'Image removed.' }
          : {
              kind: 'error',
              text: res.kind === 'failed' ? res.text : 'That image is no longer on the product.',
            },
      );
    },
  );

  for (const action of ['publish', 'unpublish', 'archive'] as const) {
    app.post(
      `/admin/ui/products/:id/${action}`,
      { schema: { hide: true, params: IdParams } },
      async (request, reply) => {
        const who = await staffRequest(d, request, reply, 'catalog:write');
        if (!who) return reply;
        const id = request.params.id;
        const res = await who.call<{ product: Product }>({
          method: 'POST',
          path: `/admin/products/${id}/${action}`,
        });
        const done = { publish: 'Published', unpublish: 'Unpublished', archive: 'Archived' }[action];
        return redirectWith(
          d,
          request,
          reply,
          who,
          `/admin/ui/products/${id}`,
          res.status === 200
            ? { kind: 'notice', text: `${done}: “${res.body.product.title}”.` }
            : { kind: 'error', text: problemText(res, `The product could not be changed (${action}).`) },
        );
      },
    );
  }
}

export async function levels(
  who: StaffRequest,
  variantIds: string[],
): Promise<Map<string, StockLevel> | null> {
  if (variantIds.length === 0) return new Map();
  const res = await who.call<{ data: StockLevel[] }>({
    method: 'GET',
    path: withQuery('/admin/inventory', { variant_id: variantIds.slice(0, 100).join(','), limit: 100 }),
  });
  return res.status === 200 ? new Map(res.body.data.map((l) => [l.variant_id, l])) : null;
}

/**
 * Reads the product and PATCHes its images to `change(images)` with the version just read (the
 * API's optimistic check, as `If-Match`); null from `change` means nothing to do.
 */
async function changeImages(
  who: StaffRequest,
  id: string,
  change: (images: Image[]) => Image[] | null,
): Promise<{ kind: 'changed' | 'unchanged' } | { kind: 'failed'; text: string }> {
  const current = await who.call<{ product: Product }>({ method: 'GET', path: `/admin/products/${id}` });
  if (current.status !== 200) return { kind: 'failed', text: 'There is no such product.' };
  const images = change(current.body.product.images);
  if (!images) return { kind: 'unchanged' };
  const patch = await who.call({
    method: 'PATCH',
    path: `/admin/products/${id}`,
    headers: { 'if-match': `"${current.body.product.version}"` },
    body: { images },
  });
  if (patch.status === 200) return { kind: 'changed' };
  return {
    kind: 'failed',
    text:
      patch.status === 409
        ? 'Someone else changed this product at the same moment. Try again.'
        : problemText(patch, 'The product could not be saved.'),
  };
}

/** The image type from the file's first bytes, when the browser sent a vague one (e.g. octet-stream). */
function imageType(bytes: Buffer): string | null {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (
    bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
    bytes.subarray(8, 12).toString('latin1') === 'WEBP'
  )
    return 'image/webp';
  if (/^ftypavi[fs]$/.test(bytes.subarray(4, 12).toString('latin1'))) return 'image/avif';
  return null;
}

/** The product's images (thumbnails) with a Remove button each, and the upload form, for catalog:write. */
function imagesSection(who: StaffRequest, product: Product): Html {
  const write = who.can('catalog:write');
  const csrf = who.session.csrf;
  return html`<section aria-labelledby="images-h"><h2 id="images-h">Images</h2>
${
  product.images.length === 0
    ? html`<p>No images yet.</p>`
    : html`<ul class="images">${product.images.map(
        (img, i) => html`<li>${
          // The dashboard's CSP allows images from this origin only: an external URL is shown as text.
          img.url.startsWith('/')
            ? html`<img src="${img.url}" alt="${img.alt}" width="120" height="${Math.max(1, Math.round((120 * img.height) / Math.max(1, img.width)))}" loading="lazy">`
            : html`<a href="${img.url}" rel="noreferrer">${img.url}</a>`
        }
<span>${img.alt || html`<span class="muted">(no alt text)</span>`} <span class="muted">${img.width}×${img.height}</span></span>
${write ? html`<form class="inline" method="post" action="/admin/ui/products/${product.id}/images/remove">${csrfField(csrf)}<input type="hidden" name="url" value="${img.url}"><button type="submit" class="danger" aria-label="Remove image ${i + 1}${img.alt ? `: ${img.alt}` : ''}">Remove</button></form>` : ''}</li>`,
      )}</ul>`
}
${
  write
    ? html`<form method="post" action="/admin/ui/products/${product.id}/images" enctype="multipart/form-data">${csrfField(csrf)}
<fieldset><legend>Add an image</legend>
<div class="field"><label for="img-alt">Alt text (what the picture shows, for people who cannot see it)</label><input id="img-alt" name="alt" maxlength="500" size="50"></div>
<div class="field"><label for="img-file">Image file (JPEG, PNG, WebP, AVIF or GIF, at most 10 MB)</label><input id="img-file" name="image" type="file" accept="image/jpeg,image/png,image/webp,image/avif,image/gif" required></div>
<button type="submit">Upload image</button>
</fieldset></form>`
    : ''
}</section>`;
}

function stockTable(who: StaffRequest, product: Product, stock: Map<string, StockLevel> | null): Html {
  if (!stock) return html``;
  const write = who.can('inventory:write');
  return html`<h2>Stock</h2>
<table>
<caption class="visually-hidden">Stock per variant</caption>
<thead><tr><th scope="col">Variant</th><th scope="col" class="num">On hand</th><th scope="col" class="num">Reserved</th><th scope="col" class="num">Available</th>${write ? html`<th scope="col">Adjust</th>` : ''}</tr></thead>
<tbody>${product.variants.map((v) => {
    const l = stock.get(v.id);
    return html`<tr><td>${v.title} <span class="muted">${v.sku}</span></td><td class="num">${l?.on_hand ?? 0}</td><td class="num">${l?.reserved ?? 0}</td><td class="num">${l?.available ?? 0}</td>${write ? html`<td>${adjustForm(who, v.id, `${v.sku}`, `/admin/ui/products/${product.id}`)}</td>` : ''}</tr>`;
  })}</tbody>
</table>`;
}

/** The adjust form (delta and reason) used on the product and inventory pages. */
export function adjustForm(who: StaffRequest, variantId: string, label: string, back: string): Html {
  const key = variantId.replace(/[^A-Za-z0-9_-]/g, '');
  return html`<form class="inline" method="post" action="/admin/ui/inventory/${variantId}/adjust">${csrfField(who.session.csrf)}
<input type="hidden" name="back" value="${back}">
<div><label for="delta-${key}">Change for ${label}</label><input id="delta-${key}" name="delta" type="number" step="1" required></div>
<div><label for="reason-${key}">Reason</label><input id="reason-${key}" name="reason" required maxlength="200"></div>
<button type="submit">Adjust</button></form>`;
}

async function notFound(
  d: Dashboard,
  request: FastifyRequest,
  reply: FastifyReply,
  who: StaffRequest,
  what: string,
) {
  return sendPage(
    d,
    request,
    reply,
    who,
    'Not found',
    html`<h1>Not found</h1><p>There is no such ${what}.</p>`,
    {
      status: 404,
    },
  );
}

interface VariantValues {
  id: string;
  sku: string;
  title: string;
  options: string;
  prices: string;
  weight: string;
}
interface FormValues {
  title: string;
  handle: string;
  description: string;
  status: string;
  options: string;
  images: string;
  variants: VariantValues[];
  remove: string[];
}

function emptyValues(): FormValues {
  return {
    title: '',
    handle: '',
    description: '',
    status: 'draft',
    options: '',
    images: '',
    variants: [],
    remove: [],
  };
}

function valuesOf(p: Product): FormValues {
  return {
    title: p.title,
    handle: p.handle,
    description: p.description ?? '',
    status: p.status,
    options: p.options.map((o) => `${o.title}: ${o.values.join(', ')}`).join('\n'),
    images: p.images.map((i) => `${i.url} | ${i.alt} | ${i.width}x${i.height}`).join('\n'),
    variants: p.variants.map((v) => ({
      id: v.id,
      sku: v.sku,
      title: v.title,
      options: Object.entries(v.options)
        .map(([k, val]) => `${k}=${val}`)
        .join('; '),
      prices: v.prices
        .map((m) => `${amountText(m.amount, m.currency_code)} ${m.currency_code.toUpperCase()}`)
        .join(', '),
      weight: v.weight_grams === null ? '' : String(v.weight_grams),
    })),
    remove: [],
  };
}

function readForm(body: unknown): FormValues {
  const b = (body ?? {}) as Record<string, unknown>;
  const variants: VariantValues[] = [];
  for (let i = 0; i < 100; i++) {
    if (!(`v${i}_sku` in b)) break;
    const v = {
      id: field(b, `v${i}_id`, 64),
      sku: field(b, `v${i}_sku`, 64),
      title: field(b, `v${i}_title`, 200),
      options: field(b, `v${i}_options`, 1000),
      prices: field(b, `v${i}_prices`, 1000),
      weight: field(b, `v${i}_weight`, 12),
    };
    if (v.sku || v.id) variants.push(v);
  }
  const remove =
    b.remove === undefined
      ? []
      : (Array.isArray(b.remove) ? b.remove : [b.remove]).filter((x): x is string => typeof x === 'string');
  return {
    title: field(b, 'title', 200),
    handle: field(b, 'handle', 200),
    description: field(b, 'description', 20_000),
    status: field(b, 'status', 20),
    options: field(b, 'options', 5000),
    images: field(b, 'images', 20_000),
    variants,
    remove,
  };
}

type VariantBody = {
  id?: string;
  sku: string;
  title: string;
  options?: Record<string, string>;
  prices: Money[];
  weight_grams?: number | null;
};

/** The API bodies from the form, or a sentence saying what to fix. */
function toProductBody(
  v: FormValues,
): { product: Record<string, unknown>; variants: VariantBody[] } | { error: string } {
  if (!v.title) return { error: 'Enter a title.' };
  const options: Array<{ title: string; values: string[] }> = [];
  for (const line of v.options
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const m = /^([^:]+):(.+)$/.exec(line);
    const values =
      m?.[2]
        ?.split(',')
        .map((x) => x.trim())
        .filter(Boolean) ?? [];
    if (!m?.[1] || values.length === 0)
      return { error: `Write each option as “Size: S, M, L” (got “${line}”).` };
    options.push({ title: m[1].trim(), values });
  }
  const images: Image[] = [];
  for (const line of v.images
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const [url = '', alt = '', size = ''] = line.split('|').map((x) => x.trim());
    const dims = /^(\d{1,6})x(\d{1,6})$/.exec(size);
    if (!/^(https?:\/\/|\/)/.test(url) || !dims) {
      return { error: `Write each image as “URL | description | 1200x1200” (got “${line}”).` };
    }
    images.push({ url, alt, width: Number(dims[1]), height: Number(dims[2]) });
  }
  const variants: VariantBody[] = [];
  for (const row of v.variants) {
    if (!row.sku) return { error: 'Every variant needs a SKU.' };
    const prices: Money[] = [];
    for (const part of row.prices
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)) {
      const m = /^(\S+)\s+([A-Za-z]{3})$/.exec(part);
      const currency = m?.[2]?.toLowerCase() ?? '';
      const amount = m?.[1] ? parseAmount(m[1], currency) : null;
      if (!m || amount === null)
        return { error: `Write prices as “19.99 USD, 17.50 EUR” (variant ${row.sku}).` };
      prices.push({ amount, currency_code: currency });
    }
    if (prices.length === 0) return { error: `Variant ${row.sku} needs a price.` };
    const opts: Record<string, string> = {};
    for (const pair of row.options
      .split(';')
      .map((x) => x.trim())
      .filter(Boolean)) {
      const [k, val] = pair.split('=').map((x) => x.trim());
      if (!k || !val) return { error: `Write variant options as “Size=S; Color=Red” (variant ${row.sku}).` };
      opts[k] = val;
    }
    const weight = row.weight === '' ? null : Number(row.weight);
    if (weight !== null && !(Number.isInteger(weight) && weight >= 0)) {
      return { error: `The weight of ${row.sku} must be whole grams.` };
    }
    variants.push({
      ...(row.id ? { id: row.id } : {}),
      sku: row.sku,
      title: row.title || row.sku,
      ...(options.length > 0 ? { options: opts } : {}),
      prices,
      weight_grams: weight,
    });
  }
  if (variants.length === 0) return { error: 'Add at least one variant (a SKU and a price).' };
  return {
    product: {
      title: v.title,
      ...(v.handle ? { handle: v.handle } : {}),
      description: v.description,
      options,
      images,
    },
    variants,
  };
}

function formError(
  d: Dashboard,
  request: FastifyRequest,
  reply: FastifyReply,
  who: StaffRequest,
  product: Product | null,
  values: FormValues,
  error: string,
) {
  return sendPage(
    d,
    request,
    reply,
    who,
    product ? product.title : 'New product',
    html`<p class="flash error" role="alert">${error}</p>${productForm(who, product, values)}`,
    { status: 422 },
  );
}

function productForm(who: StaffRequest, product: Product | null, v: FormValues): Html {
  const write = who.can('catalog:write');
  const rows = [
    ...v.variants,
    ...Array.from({ length: BLANK_VARIANT_ROWS }, () => ({
      id: '',
      sku: '',
      title: '',
      options: '',
      prices: '',
      weight: '',
    })),
  ];
  const ro = write ? '' : html` readonly`;
  return html`<h1>${product ? product.title : 'New product'}</h1>
${
  product
    ? html`<p class="product-status">Status: <span class="badge">${product.status}</span> · version ${product.version} · <span class="muted">${product.id}</span></p>
${
  write
    ? html`<div class="grid2"><div>${
        product.status === 'published'
          ? html`<form class="inline" method="post" action="/admin/ui/products/${product.id}/unpublish">${csrfField(who.session.csrf)}<button type="submit" class="secondary">Unpublish</button></form>`
          : html`<form class="inline" method="post" action="/admin/ui/products/${product.id}/publish">${csrfField(who.session.csrf)}<button type="submit">Publish</button></form>`
      } ${product.status === 'archived' ? '' : html`<form class="inline" method="post" action="/admin/ui/products/${product.id}/archive">${csrfField(who.session.csrf)}<button type="submit" class="danger">Archive</button></form>`}</div></div>`
    : ''
}`
    : ''
}
<form method="post" action="${product ? `/admin/ui/products/${product.id}` : '/admin/ui/products'}">
${csrfField(who.session.csrf)}
${product ? html`<input type="hidden" name="version" value="${product.version}">` : ''}
<fieldset><legend>Product</legend>
<div class="field"><label for="p-title">Title</label><input id="p-title" name="title" required maxlength="200" size="50" value="${v.title}"${ro}></div>
<div class="field"><label for="p-handle">Handle (URL name; empty: from the title)</label><input id="p-handle" name="handle" maxlength="200" size="40" value="${v.handle}" pattern="[a-z0-9]+(-[a-z0-9]+)*"${ro}></div>
<div class="field"><label for="p-description">Description</label><textarea id="p-description" name="description" maxlength="20000"${ro}>${v.description}</textarea></div>
${product ? '' : html`<div class="field"><label for="p-status">Status when created</label><select id="p-status" name="status"><option value="draft"${v.status !== 'published' ? html` selected` : ''}>Draft</option><option value="published"${v.status === 'published' ? html` selected` : ''}>Published</option></select></div>`}
<div class="field"><label for="p-options">Options, one per line (“Size: S, M, L”)</label><textarea id="p-options" name="options"${ro}>${v.options}</textarea></div>
<div class="field"><label for="p-images">Images, one per line (“URL | description | 1200x1200”); the storefront resizes them</label><textarea id="p-images" name="images"${ro}>${v.images}</textarea></div>
</fieldset>
<fieldset><legend>Variants</legend>
<table>
<caption class="visually-hidden">Variants: SKU, title, options, prices, weight</caption>
<thead><tr><th scope="col">SKU</th><th scope="col">Title</th><th scope="col">Options (“Size=S; Color=Red”)</th><th scope="col">Prices (“19.99 USD, 17.50 EUR”)</th><th scope="col">Weight (g)</th>${product && write ? html`<th scope="col">Remove</th>` : ''}</tr></thead>
<tbody>
${rows.map(
  (r, i) => html`<tr>
<td><input type="hidden" name="v${i}_id" value="${r.id}"><input aria-label="SKU of variant ${i + 1}" name="v${i}_sku" value="${r.sku}" maxlength="64" size="12"${ro}></td>
<td><input aria-label="Title of variant ${i + 1}" name="v${i}_title" value="${r.title}" maxlength="200" size="14"${ro}></td>
<td><input aria-label="Options of variant ${i + 1}" name="v${i}_options" value="${r.options}" maxlength="1000" size="18"${ro}></td>
<td><input aria-label="Prices of variant ${i + 1}" name="v${i}_prices" value="${r.prices}" maxlength="1000" size="18"${ro}></td>
<td><input aria-label="Weight in grams of variant ${i + 1}" name="v${i}_weight" value="${r.weight}" inputmode="numeric" size="6"${ro}></td>
${product && write ? html`<td>${r.id ? html`<input type="checkbox" name="remove" value="${r.id}" aria-label="Remove variant ${r.sku}">` : ''}</td>` : ''}
</tr>`,
)}
</tbody>
</table>
</fieldset>
${write ? html`<button type="submit">${product ? 'Save' : 'Create product'}</button>` : ''}
</form>`;
}
