// The surfaces of the one web app and the pages inside each. The layout builds its navigation from
// this list; the pages themselves are loaded lazily per surface (see routes.tsx).
export interface SurfacePage {
  path: string;
  labelKey: string;
  /** Permission needed to see the page; the server enforces it regardless. */
  permission?: string;
  /** A link out of the app (e.g. the API docs) instead of a page in it. */
  external?: boolean;
  /** Heading of the group this page sits under in the navigation, when the surface has groups. */
  groupKey?: string;
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
      { path: '/backoffice/products', labelKey: 'nav.products', permission: 'catalog:read', groupKey: 'nav.groupCatalog' },
      { path: '/backoffice/categories', labelKey: 'nav.categories', permission: 'catalog:read', groupKey: 'nav.groupCatalog' },
      { path: '/backoffice/price-lists', labelKey: 'nav.priceLists', permission: 'catalog:read', groupKey: 'nav.groupCatalog' },
      { path: '/backoffice/promotions', labelKey: 'promotions:nav', permission: 'catalog:read', groupKey: 'nav.groupCatalog' },
      { path: '/backoffice/import', labelKey: 'nav.import', permission: 'catalog:read', groupKey: 'nav.groupCatalog' },
      { path: '/backoffice/orders', labelKey: 'nav.orders', permission: 'orders:read', groupKey: 'nav.groupSales' },
      { path: '/backoffice/fulfilment', labelKey: 'nav.fulfilment', permission: 'orders:read', groupKey: 'nav.groupSales' },
      { path: '/backoffice/returns', labelKey: 'nav.returns', permission: 'orders:read', groupKey: 'nav.groupSales' },
      { path: '/backoffice/returns/gift-cards', labelKey: 'nav.giftCards', permission: 'orders:read', groupKey: 'nav.groupSales' },
      { path: '/backoffice/customers', labelKey: 'nav.customers', permission: 'customers:read', groupKey: 'nav.groupSales' },
      { path: '/backoffice/inventory/stock', labelKey: 'nav.stock', permission: 'inventory:read', groupKey: 'nav.groupInventory' },
      { path: '/backoffice/inventory/purchase-orders', labelKey: 'nav.purchaseOrders', permission: 'inventory:read', groupKey: 'nav.groupInventory' },
      { path: '/backoffice/inventory/replenishment', labelKey: 'nav.replenishment', permission: 'inventory:read', groupKey: 'nav.groupInventory' },
      { path: '/backoffice/inventory/transfers', labelKey: 'nav.transfers', permission: 'inventory:read', groupKey: 'nav.groupInventory' },
      { path: '/backoffice/inventory/counts', labelKey: 'nav.counts', permission: 'inventory:read', groupKey: 'nav.groupInventory' },
      { path: '/backoffice/inventory/suppliers', labelKey: 'nav.suppliers', permission: 'inventory:read', groupKey: 'nav.groupInventory' },
      { path: '/backoffice/inventory/locations', labelKey: 'nav.locations', permission: 'inventory:read', groupKey: 'nav.groupInventory' },
      { path: '/backoffice/users', labelKey: 'nav.users', permission: 'staff:read', groupKey: 'nav.groupAdmin' },
      { path: '/backoffice/api-keys', labelKey: 'nav.apiKeys', permission: 'api_keys:read', groupKey: 'nav.groupAdmin' },
      { path: '/backoffice/audit-log', labelKey: 'nav.auditLog', permission: 'audit:read', groupKey: 'nav.groupAdmin' },
      { path: '/backoffice/privacy', labelKey: 'nav.privacy', permission: 'privacy:read', groupKey: 'nav.groupAdmin' },
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
