import { html, type SafeHtml } from './html.js';

export const PRODUCT = 'Threat Aggregator';

export type NavItem = 'home' | 'browse' | 'docs';

export interface PageOptions {
  title: string;
  /** The header link to mark as the current page. */
  nav?: NavItem;
  /** Show the compact search box in the header (every page but the home page, which has its own). */
  headerSearch?: boolean;
  /** The search box's current text. */
  query?: string;
  main: SafeHtml;
}

const NAV: { id: NavItem; href: string; label: string }[] = [
  { id: 'home', href: '/', label: 'Home' },
  { id: 'browse', href: '/browse', label: 'Browse' },
  { id: 'docs', href: '/docs', label: 'API docs' },
];

const LOGO = html`<svg class="logo" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false"><path fill="currentColor" d="M12 2 4 5v6c0 5 3.4 9.7 8 11 4.6-1.3 8-6 8-11V5l-8-3Zm0 2.2 6 2.3V11c0 4-2.6 7.8-6 8.9-3.4-1.1-6-4.9-6-8.9V6.5l6-2.3Zm-1 4.3v5h2v-5h-2Zm0 6.5v2h2v-2h-2Z"/></svg>`;

/** The whole document around a page's main content. Scripts and styles are local files only (CSP). */
export function layout(o: PageOptions): SafeHtml {
  const nav = NAV.map(
    (n) =>
      html`<li><a class="nav-link" href="${n.href}"${n.id === o.nav ? html` aria-current="page"` : ''}>${n.label}</a></li>`,
  );
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${o.title} · ${PRODUCT}</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js" defer></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
<div class="wrap header-inner">
<a class="brand" href="/">${LOGO}<span>${PRODUCT}</span></a>
<nav aria-label="Main"><ul class="nav">${nav}</ul></nav>
${
  o.headerSearch &&
  html`<form class="header-search" action="/search" method="get" role="search">
<label class="visually-hidden" for="header-q">Search indicators</label>
<input id="header-q" name="q" type="search" placeholder="Search IP, CIDR, URL or domain" value="${o.query ?? ''}" autocomplete="off" spellcheck="false">
<button type="submit">Search</button>
</form>`
}
</div>
</header>
<main id="main" class="wrap">
${o.main}
</main>
<footer class="site-footer">
<div class="wrap">${PRODUCT} · Indicators of compromise from public threat feeds · <a href="/docs">API docs</a> · <a href="/openapi.json">OpenAPI</a></div>
</footer>
</body>
</html>
`;
}

/** A page that only says what went wrong (404, 400, 500), with a way back. */
export function errorPage(status: number, title: string, message: string): SafeHtml {
  return layout({
    title,
    headerSearch: true,
    main: html`<section class="panel error-panel">
<p class="eyebrow">Error ${status}</p>
<h1>${title}</h1>
<p>${message}</p>
<p class="actions"><a class="button" href="/">Back to the home page</a> <a class="button button-secondary" href="/browse">Browse indicators</a></p>
</section>`,
  });
}
