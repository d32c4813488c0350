import type { Permission } from '@emporium/platform';
import { type Html, html } from '@emporium/storefront';
import type { Assets } from '../assets/assets.ts';

/** What every page's frame needs. */
export interface PageFrame {
  nonce: string;
  assets: Assets;
  csrf: string;
  /** The signed-in staff member; absent on the sign-in page. */
  staff?: { email: string; roles: readonly string[]; permissions: ReadonlySet<Permission> };
  /** The path of the page, to mark the current navigation entry. */
  path: string;
  flash?: { kind: 'error' | 'notice'; text: string } | undefined;
  /** A script of assets/ this page needs (loaded with the response's nonce). */
  script?: string | undefined;
}

/** Navigation entries and the permission each needs: what a role cannot do is not offered. */
export const NAV: ReadonlyArray<{ href: string; label: string; needs: Permission }> = [
  { href: '/admin', label: 'Overview', needs: 'orders:read' },
  { href: '/admin/ui/products', label: 'Products', needs: 'catalog:read' },
  { href: '/admin/ui/inventory', label: 'Inventory', needs: 'inventory:read' },
  { href: '/admin/ui/orders', label: 'Orders', needs: 'orders:read' },
  { href: '/admin/ui/staff', label: 'Staff', needs: 'staff:manage' },
  { href: '/admin/ui/audit-log', label: 'Audit log', needs: 'audit:read' },
];

function current(path: string, href: string): boolean {
  return href === '/admin' ? path === '/admin' : path === href || path.startsWith(`${href}/`);
}

export function layout(frame: PageFrame, title: string, body: Html): Html {
  const staff = frame.staff;
  const nav = staff
    ? NAV.filter((n) => staff.permissions.has(n.needs)).map(
        (n) =>
          html`<li><a href="${n.href}"${current(frame.path, n.href) ? html` aria-current="page"` : ''}>${n.label}</a></li>`,
      )
    : [];
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} · Emporium admin</title>
<link rel="stylesheet" href="${frame.assets.css.url}">
${frame.script ? html`<script nonce="${frame.nonce}" src="${frame.script}" defer></script>` : ''}
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header class="side">
<a class="brand" href="/admin">Emporium admin</a>
${
  staff
    ? html`<nav aria-label="Dashboard"><ul>${nav}</ul></nav>
<p class="who">Signed in as ${staff.email}<br>Roles: ${staff.roles.join(', ')}<br><a href="/admin/ui/account"${current(frame.path, '/admin/ui/account') ? html` aria-current="page"` : ''}>Your account and passkeys</a></p>
<form method="post" action="/admin/ui/sign-out">${csrfField(frame.csrf)}<button type="submit" class="secondary">Sign out</button></form>`
    : ''
}
</header>
<main id="main">
${frame.flash ? html`<p class="flash ${frame.flash.kind}" role="${frame.flash.kind === 'error' ? 'alert' : 'status'}">${frame.flash.text}</p>` : ''}
${body}
</main>
</body>
</html>`;
}

/** A hidden synchroniser token for a form that posts. */
export function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}
