import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { withQuery } from '../api/store-api.ts';
import type { Category, ProductHit, ProductList, StoreProduct } from '../api/types.ts';
import { formatMoney } from '../html/format.ts';
import { type Html, html } from '../html/html.ts';
import { csrfField, layout, type PageFrame } from '../html/layout.ts';
import { type SharedPage, type Storefront, sendShared } from './page.ts';

const PAGE_SIZE = 24;
const SORTS = [
  ['relevance', 'Best match'],
  ['newest', 'Newest'],
  ['price_asc', 'Price: low to high'],
  ['price_desc', 'Price: high to low'],
] as const;

/** Home, category listings, search results and product pages: the same for every shopper. */
export function registerCatalogPages(app: FastifyInstance, sf: Storefront): void {
  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    const [products, categories] = await Promise.all([
      sf.api.request<ProductList>({ method: 'GET', path: '/store/products?limit=8&sort=newest' }),
      sf.api.request<{ data: Category[] }>({ method: 'GET', path: '/store/categories' }),
    ]);
    if (products.status !== 200 || categories.status !== 200) return unavailable(sf, request, reply);
    return sendShared(sf, request, reply, {
      etags: [products.headers.etag, categories.headers.etag],
      surrogateKeys: ['storefront', 'products', 'categories'],
      sMaxAge: 60,
      staleWhileRevalidate: 300,
      render: (frame) =>
        layout(
          frame,
          'Home',
          html`<h1>Welcome to Emporium</h1>
<section aria-labelledby="shop-by-category"><h2 id="shop-by-category">Shop by category</h2>
<ul class="grid">${categories.body.data.map(
            (c) =>
              html`<li><a href="/categories/${c.handle}">${c.name}</a>${
                c.children && c.children.length > 0
                  ? html`<ul>${c.children.map((child) => html`<li><a href="/categories/${child.handle}">${child.name}</a></li>`)}</ul>`
                  : ''
              }</li>`,
          )}</ul></section>
<section aria-labelledby="featured"><h2 id="featured">New in</h2>${productGrid(sf, products.body.data, 3)}</section>`,
          { description: 'Emporium: new products and every category.' },
        ),
    });
  });

  app.get<{ Params: { handle: string }; Querystring: Record<string, string | string[] | undefined> }>(
    '/categories/:handle',
    { schema: { hide: true } },
    async (request, reply) => {
      const categories = await sf.api.request<{ data: Category[] }>({
        method: 'GET',
        path: '/store/categories',
      });
      if (categories.status !== 200) return unavailable(sf, request, reply);
      const category = flatten(categories.body.data).find((c) => c.handle === request.params.handle);
      if (!category) return notFoundPage(sf, request, reply, 'We could not find that category.');
      return listing(sf, request, reply, {
        category,
        categoryEtag: categories.headers.etag,
        all: categories.body.data,
      });
    },
  );

  app.get<{ Querystring: Record<string, string | string[] | undefined> }>(
    '/search',
    { schema: { hide: true } },
    async (request, reply) => listing(sf, request, reply, {}),
  );

  app.get<{ Params: { handle: string } }>(
    '/products/:handle',
    { schema: { hide: true } },
    async (request, reply) => {
      const handle = request.params.handle;
      const res = await sf.api.request<{ product: StoreProduct }>({
        method: 'GET',
        path: `/store/products/${encodeURIComponent(handle)}?currency=${sf.config.currency}`,
      });
      if (res.status === 404) return notFoundPage(sf, request, reply, 'We could not find that product.');
      if (res.status !== 200) return unavailable(sf, request, reply);
      const categories = await sf.api.request<{ data: Category[] }>({
        method: 'GET',
        path: '/store/categories',
      });
      const product = res.body.product;
      const primary = flatten(categories.body?.data ?? []).find((c) => c.id === product.category_ids[0]);
      return sendShared(sf, request, reply, {
        etags: [res.headers.etag, categories.headers.etag],
        // The catalog's keys: purging the product (or its categories) purges its page.
        surrogateKeys: (res.headers['surrogate-key'] ?? product.id).split(' ').concat('storefront'),
        sMaxAge: 30,
        staleWhileRevalidate: 60,
        render: (frame) => productPage(sf, frame, product, primary),
      });
    },
  );
}

function productPage(
  sf: Storefront,
  frame: PageFrame,
  product: StoreProduct,
  category: Category | undefined,
): Html {
  const first = product.variants.find((v) => v.available && v.price) ?? product.variants[0];
  const anyAvailable = product.variants.some((v) => v.available && v.price);
  const pickerLabel =
    product.options.length > 0 ? product.options.map((o) => o.title).join(' / ') : 'Variant';
  return layout(
    frame,
    product.title,
    html`<nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="/">Home</a></li>${
      category ? html`<li><a href="/categories/${category.handle}">${category.name}</a></li>` : ''
    }<li><a href="/products/${product.handle}" aria-current="page">${product.title}</a></li></ol></nav>
<article class="product">
<div class="gallery">${product.images.map((image, i) =>
      sf.images.picture(image, '(max-width: 48rem) 100vw, 36rem', i === 0),
    )}</div>
<div>
<h1>${product.title}</h1>
<p class="price" data-price>${formatMoney(first?.price)}</p>
<p data-availability class="${first?.available ? 'in-stock' : 'out-of-stock'}">${first?.available ? 'In stock' : 'Out of stock'}</p>
<form method="post" action="/cart/items">
${csrfField(frame.csrf)}
<input type="hidden" name="product_title" value="${product.title}">
${
  product.variants.length > 1
    ? html`<div class="field"><label for="variant">${pickerLabel}</label>
<select id="variant" name="variant_id" data-variant-picker>${product.variants.map(
        (v) =>
          html`<option value="${v.id}" data-price="${formatMoney(v.price)}" data-available="${String(v.available)}"${
            v === first ? html` selected` : ''
          }${v.available && v.price ? '' : html` disabled`}>${v.title} — ${v.price ? formatMoney(v.price) : 'not sold in this currency'}${
            v.available ? '' : ' (out of stock)'
          }</option>`,
      )}</select></div>`
    : html`<input type="hidden" name="variant_id" value="${first?.id ?? ''}">`
}
<div class="field"><label for="quantity">Quantity</label>
<input id="quantity" name="quantity" type="number" inputmode="numeric" min="1" max="99" value="1" required></div>
<button type="submit"${anyAvailable ? '' : html` disabled`}>Add to cart</button>
</form>
<h2>Description</h2>
<p>${product.description}</p>
</div>
</article>`,
    { description: product.description.slice(0, 160) },
  );
}

interface ListingOptions {
  category?: Category;
  categoryEtag?: string | undefined;
  all?: Category[];
}

async function listing(
  sf: Storefront,
  request: FastifyRequest<{ Querystring: Record<string, string | string[] | undefined> }>,
  reply: FastifyReply,
  options: ListingOptions,
): Promise<FastifyReply> {
  const query = request.query;
  const one = (name: string) => {
    const v = query[name];
    return typeof v === 'string' ? v.slice(0, 200) : undefined;
  };
  const q = one('q')?.trim() ?? '';
  const optionFilters = ([] as string[])
    .concat(query.option ?? [])
    .filter((o) => /^[^:]+:.+$/.test(o))
    .slice(0, 50);
  const sortParam = one('sort');
  const sort = SORTS.some(([s]) => s === sortParam) ? sortParam : undefined;
  const price = one('price');
  const [priceMin, priceMax] = price && /^\d+-\d*$/.test(price) ? price.split('-') : [];
  const cursor = one('cursor');
  const params = {
    q: q || undefined,
    category: options.category?.id,
    sort,
    option: optionFilters,
    price_min: priceMin,
    price_max: priceMax || undefined,
    cursor,
    currency: sf.config.currency,
    limit: PAGE_SIZE,
  };
  let res = await sf.api.request<ProductList>({
    method: 'GET',
    path: withQuery('/store/products', { ...params, facets: true }),
  });
  // A stale or hand-made cursor: show the first page rather than an error.
  if (res.status === 400 && cursor) {
    res = await sf.api.request<ProductList>({
      method: 'GET',
      path: withQuery('/store/products', { ...params, cursor: undefined, facets: true }),
    });
  }
  if (res.status !== 200) return unavailable(sf, request, reply);
  const list = res.body;
  const title = options.category ? options.category.name : q ? `Results for “${q}”` : 'All products';
  const base = options.category ? `/categories/${options.category.handle}` : '/search';
  const keep = { q: q || undefined, sort, option: optionFilters, price };
  const page: SharedPage = {
    etags: [res.headers.etag, options.categoryEtag],
    surrogateKeys: [...(res.headers['surrogate-key'] ?? 'products').split(' '), 'storefront'],
    sMaxAge: 60,
    staleWhileRevalidate: 300,
    q,
    render: (frame) =>
      layout(
        frame,
        title,
        html`<h1>${title}</h1>
${options.category?.description ? html`<p>${options.category.description}</p>` : ''}
${list.did_you_mean ? html`<p>No products matched “${q}”. Showing results for <a href="${withQuery('/search', { q: list.did_you_mean })}">${list.did_you_mean}</a>.</p>` : ''}
<div class="listing">
<form class="facets" method="get" action="${base}" aria-label="Filters">
${q ? html`<input type="hidden" name="q" value="${q}">` : ''}
<div class="field"><label for="sort">Sort by</label>
<select id="sort" name="sort">${SORTS.filter(([s]) => s !== 'relevance' || q).map(
          ([value, label]) =>
            html`<option value="${value}"${sort === value ? html` selected` : ''}>${label}</option>`,
        )}</select></div>
${facetCategories(list, options)}
${(list.facets?.options ?? []).map(
  (group) =>
    html`<fieldset><legend>${group.title}</legend>${group.values.map((v) => {
      const token = `${group.title}:${v.value}`;
      const id = `opt-${slug(token)}`;
      return html`<label for="${id}"><input type="checkbox" id="${id}" name="option" value="${token}"${
        optionFilters.includes(token) ? html` checked` : ''
      }> ${v.value} (${v.count})</label>`;
    })}</fieldset>`,
)}
${
  list.facets && list.facets.price_ranges.length > 0
    ? html`<fieldset><legend>Price</legend>
<label for="price-any"><input type="radio" id="price-any" name="price" value=""${price ? '' : html` checked`}> Any price</label>
${list.facets.price_ranges.map((r) => {
  const value = `${r.min}-${r.max ?? ''}`;
  const label =
    r.max === null
      ? `${formatMoney({ amount: r.min, currency_code: sf.config.currency })} and up`
      : `${formatMoney({ amount: r.min, currency_code: sf.config.currency })} to ${formatMoney({ amount: r.max, currency_code: sf.config.currency })}`;
  return html`<label for="price-${value}"><input type="radio" id="price-${value}" name="price" value="${value}"${
    price === value ? html` checked` : ''
  }> ${label} (${r.count})</label>`;
})}</fieldset>`
    : ''
}
<button type="submit">Apply filters</button>
</form>
<section aria-labelledby="results-heading">
<h2 id="results-heading" class="visually-hidden">Products</h2>
${list.data.length === 0 ? html`<p>No products match. Try fewer filters or other words.</p>` : productGrid(sf, list.data, 0)}
<nav class="pager" aria-label="Pages">
${cursor ? html`<a href="${withQuery(base, keep)}">First page</a>` : ''}
${list.next_cursor ? html`<a href="${withQuery(base, { ...keep, cursor: list.next_cursor })}" rel="next">Next page</a>` : ''}
</nav>
</section>
</div>`,
      ),
  };
  return sendShared(sf, request, reply, page);
}

function facetCategories(list: ProductList, options: ListingOptions): Html | string {
  const facet = list.facets?.categories ?? [];
  if (facet.length === 0 || !options.all) return '';
  const byId = new Map(flatten(options.all).map((c) => [c.id, c]));
  const children = facet.filter((c) => c.parent_id === options.category?.id && byId.has(c.id));
  if (children.length === 0) return '';
  return html`<nav aria-label="Subcategories"><h3>Categories</h3><ul>${children.map((c) => {
    const node = byId.get(c.id);
    return node ? html`<li><a href="/categories/${node.handle}">${c.name}</a> (${c.count})</li>` : '';
  })}</ul></nav>`;
}

function productGrid(sf: Storefront, hits: ProductHit[], eager: number): Html {
  return html`<ul class="grid">${hits.map(
    (hit, i) =>
      html`<li class="card"><a href="/products/${hit.handle}">${
        hit.thumbnail
          ? sf.images.picture(
              { url: hit.thumbnail, alt: '', width: 600, height: 600 },
              '(max-width: 30rem) 50vw, 14rem',
              i < eager,
            )
          : ''
      }<h3>${hit.title}</h3><p class="price">${formatMoney(hit.price)}</p></a></li>`,
  )}</ul>`;
}

function flatten(tree: Category[]): Category[] {
  return tree.flatMap((c) => [c, ...flatten(c.children ?? [])]);
}

function slug(text: string): string {
  return Buffer.from(text).toString('hex').slice(0, 40);
}

export function notFoundPage(
  sf: Storefront,
  request: FastifyRequest,
  reply: FastifyReply,
  message: string,
): FastifyReply {
  return sendShared(sf, request, reply, {
    etags: [],
    surrogateKeys: [],
    sMaxAge: 30,
    staleWhileRevalidate: 0,
    status: 404,
    render: (frame) =>
      layout(
        frame,
        'Not found',
        html`<h1>Not found</h1><p>${message}</p><p><a href="/">Back to the shop</a></p>`,
      ),
  });
}

function unavailable(sf: Storefront, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.header('retry-after', '5');
  return sendShared(sf, request, reply, {
    etags: [],
    surrogateKeys: [],
    sMaxAge: 0,
    staleWhileRevalidate: 0,
    status: 503,
    render: (frame) =>
      layout(
        frame,
        'Please try again',
        html`<h1>Please try again</h1><p>The shop could not load this page just now. Please reload in a moment.</p>`,
      ),
  });
}
