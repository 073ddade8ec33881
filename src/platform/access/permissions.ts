// Permissions are `area:verb`. Roles are fixed, documented bundles of them (docs/API.md lists
// them); secret API keys carry an explicit subset as scopes. `storefront` opens the routes a shop
// front needs and is all a publishable key ever has.
export const PERMISSIONS = [
  'staff:read',
  'staff:write',
  'api_keys:read',
  'api_keys:write',
  'webhooks:read',
  'webhooks:write',
  'audit:read',
  'events:read',
  'devtools:read',
  'customers:read',
  'customers:write',
  'catalog:read',
  'catalog:write',
  'prices:write',
  'promotions:write',
  'inventory:read',
  'inventory:write',
  'purchasing:write',
  'orders:read',
  'orders:write',
  'returns:write',
  'marketing:write',
  'service:write',
  'fulfilment:write',
  'privacy:read',
  'privacy:erase',
  'storefront',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/**
 * Permissions over what spans every store at once and cannot be cut by store: the event log, webhook
 * endpoints and their deliveries (every event), the mail catcher (every e-mail). Staff users and
 * keys scoped to stores are refused these routes whatever their role or scopes (docs/API.md).
 */
export const ALL_STORES_PERMISSIONS: ReadonlySet<Permission> = new Set<Permission>(['events:read', 'webhooks:read', 'webhooks:write', 'devtools:read']);

export const ROLES = ['admin', 'merchandiser', 'marketer', 'store_manager', 'store_associate', 'service_agent', 'planner'] as const;
export type Role = (typeof ROLES)[number];

const ALL = [...PERMISSIONS];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: ALL,
  merchandiser: ['catalog:read', 'catalog:write', 'prices:write', 'promotions:write', 'inventory:read', 'orders:read', 'events:read', 'storefront'],
  marketer: ['catalog:read', 'customers:read', 'marketing:write', 'promotions:write', 'orders:read', 'events:read', 'storefront'],
  store_manager: ['staff:read', 'catalog:read', 'inventory:read', 'inventory:write', 'orders:read', 'orders:write', 'fulfilment:write', 'returns:write', 'customers:read', 'customers:write', 'audit:read', 'storefront'],
  store_associate: ['catalog:read', 'inventory:read', 'orders:read', 'orders:write', 'fulfilment:write', 'returns:write', 'customers:read', 'storefront'],
  service_agent: ['catalog:read', 'customers:read', 'customers:write', 'orders:read', 'returns:write', 'service:write', 'privacy:read', 'storefront'],
  planner: ['catalog:read', 'inventory:read', 'inventory:write', 'purchasing:write', 'orders:read', 'storefront'],
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  admin: 'Everything, including staff, API keys, webhooks and the audit log.',
  merchandiser: 'Catalog, prices and promotions; reads stock and orders.',
  marketer: 'Customers (read), segments, campaigns and promotions.',
  store_manager: 'Runs a store: stock, orders, returns, customers, and reads staff and the audit log.',
  store_associate: 'Serves shoppers in a store: orders, returns, stock and customer lookups.',
  service_agent: 'Customer service: customers, orders, returns and conversations.',
  planner: 'Stock, replenishment and purchase orders.',
};

export function isPermission(p: string): p is Permission {
  return (PERMISSIONS as readonly string[]).includes(p);
}
export function isRole(r: string): r is Role {
  return (ROLES as readonly string[]).includes(r);
}
