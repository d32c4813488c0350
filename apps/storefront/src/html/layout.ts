import type { Assets } from '../assets/assets.ts';
import { type Html, html } from './html.ts';

/** What every page's frame needs. `csrf` is empty on shared (edge-cached) pages; the script fills it. */
export interface PageFrame {
  nonce: string;
  assets: Assets;
  csrf: string;
  /** Items in the cart; null on shared pages (the script fills it in). */
  cartCount: number | null;
  /** The search box's current text. */
  q?: string;
  signedIn?: boolean;
}

export function layout(
  frame: PageFrame,
  title: string,
  body: Html,
  options: { description?: string } = {},
): Html {
  const count = frame.cartCount === null ? '' : frame.cartCount > 0 ? ` (${frame.cartCount})` : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Emporium</title>
${options.description ? html`<meta name="description" content="${options.description}">` : ''}
<link rel="icon" href="${frame.assets.icon.url}" type="image/svg+xml">
<link rel="stylesheet" href="${frame.assets.css.url}">
<script src="${frame.assets.js.url}" nonce="${frame.nonce}" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header class="site">
<a class="brand" href="/">Emporium</a>
<form class="search" role="search" action="/search" method="get">
<label for="site-search" class="visually-hidden">Search products</label>
<input type="search" id="site-search" name="q" value="${frame.q ?? ''}" maxlength="200" autocomplete="off" data-suggest="search-suggestions">
<button type="submit">Search</button>
<ul id="search-suggestions" class="suggestions" aria-label="Suggestions"></ul>
<span id="suggest-status" class="visually-hidden" role="status"></span>
</form>
<nav aria-label="Your shop">
<ul>
<li><a href="/account">${frame.signedIn ? 'Your account' : 'Account'}</a></li>
<li><a href="/cart">Cart<span data-cart-count="${frame.cartCount === null ? '' : String(frame.cartCount)}">${count}</span></a></li>
</ul>
</nav>
</header>
<main id="main">
${body}
</main>
<footer class="site"><p>Emporium — an open-source shop. Prices include every fee shown at checkout.</p></footer>
</body>
</html>`;
}

/** A hidden synchroniser token for a form that posts. */
export function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}
