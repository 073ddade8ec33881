// The surfaces of the one web app and the pages inside each. The layout builds its navigation from
// this list; the pages themselves are loaded lazily per surface (see routes.tsx).
export interface SurfacePage {
  path: string;
  labelKey: string;
  /** Permission needed to see the page; the server enforces it regardless. */
  permission?: string;
  /** A link out of the app (e.g. the API docs) instead of a page in it. */
  external?: boolean;
}

export interface Surface {
  id: 'backoffice' | 'store' | 'selfcheckout' | 'storefront' | 'devtools';
  path: string;
  labelKey: string;
  pages: SurfacePage[];
}

export const SURFACES: Surface[] = [
  {
    id: 'backoffice',
    path: '/backoffice',
    labelKey: 'surfaces.backoffice',
    pages: [
      { path: '/backoffice/users', labelKey: 'nav.users', permission: 'staff:read' },
      { path: '/backoffice/api-keys', labelKey: 'nav.apiKeys', permission: 'api_keys:read' },
      { path: '/backoffice/audit-log', labelKey: 'nav.auditLog', permission: 'audit:read' },
    ],
  },
  { id: 'store', path: '/store', labelKey: 'surfaces.store', pages: [{ path: '/store', labelKey: 'nav.overview' }] },
  { id: 'selfcheckout', path: '/self-checkout', labelKey: 'surfaces.selfcheckout', pages: [{ path: '/self-checkout', labelKey: 'nav.overview' }] },
  { id: 'storefront', path: '/storefront', labelKey: 'surfaces.storefront', pages: [{ path: '/storefront', labelKey: 'nav.overview' }] },
  {
    id: 'devtools',
    path: '/devtools',
    labelKey: 'surfaces.devtools',
    pages: [
      { path: '/devtools/webhooks', labelKey: 'nav.webhooks', permission: 'webhooks:read' },
      { path: '/devtools/events', labelKey: 'nav.events', permission: 'events:read' },
      { path: '/devtools/mail', labelKey: 'nav.mail', permission: 'devtools:read' },
      { path: '/docs', labelKey: 'nav.apiDocs', external: true },
    ],
  },
];

export function surfaceOf(pathname: string): Surface {
  return SURFACES.find((s) => pathname === s.path || pathname.startsWith(`${s.path}/`)) ?? SURFACES[0];
}
