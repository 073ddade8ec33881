// Who works in Winkel and what may reach it: staff users, roles, API keys, the audit log, and the
// signed-in user (`useMe`).
import { useQuery } from '@tanstack/react-query';
import { api, createHeaders, ifMatch, unwrap, type Schemas } from '../client';
import { usePagedList } from '../paging';
import { useApiMutation, type Body, type ListFilters, type MutationOptions } from './util';

export type StaffUserFilters = ListFilters<'/v1/staff-users'>;
export type AuditFilters = ListFilters<'/v1/audit-log'>;

export const meKeys = {
  all: ['me'] as const,
  /** Per token: a new session never sees the previous one's permissions. */
  of: (token: string | null) => [...meKeys.all, token] as const,
};

export const staffKeys = {
  all: ['staff-users'] as const,
  list: (filters: StaffUserFilters) => [...staffKeys.all, 'list', filters] as const,
};

export const roleKeys = {
  all: ['roles'] as const,
};

export const apiKeyKeys = {
  all: ['api-keys'] as const,
  list: (includeRevoked: boolean) => [...apiKeyKeys.all, 'list', includeRevoked] as const,
};

export const auditKeys = {
  all: ['audit-log'] as const,
  list: (filters: AuditFilters) => [...auditKeys.all, 'list', filters] as const,
};

export function useMeQuery(token: string | null) {
  return useQuery({ queryKey: meKeys.of(token), enabled: !!token, staleTime: 60_000, queryFn: () => unwrap(api.GET('/v1/auth/me')) });
}

export function useStaffUsers(filters: StaffUserFilters) {
  return usePagedList(staffKeys.list(filters), (cursor) => unwrap(api.GET('/v1/staff-users', { params: { query: { ...filters, cursor, limit: 50 } } })));
}

export function useCreateStaffUser(options?: MutationOptions<Awaited<ReturnType<typeof createStaffUser>>, Body<'/v1/staff-users', 'post'>>) {
  return useApiMutation(createStaffUser, { invalidates: () => [staffKeys.all] }, options);
}
const createStaffUser = (body: Body<'/v1/staff-users', 'post'>) => unwrap(api.POST('/v1/staff-users', { headers: createHeaders(), body }));

export type StaffUserUpdate = { id: string; version: number; patch: Body<'/v1/staff-users/{id}', 'patch'> };
export function useUpdateStaffUser(options?: MutationOptions<Schemas['StaffUser'], StaffUserUpdate>) {
  return useApiMutation(({ id, version, patch }: StaffUserUpdate) => unwrap(api.PATCH('/v1/staff-users/{id}', { params: { path: { id } }, headers: ifMatch(version), body: patch })), { invalidates: () => [staffKeys.all], onConflict: () => [staffKeys.all] }, options);
}

export function useRoles() {
  return useQuery({ queryKey: roleKeys.all, staleTime: 10 * 60_000, queryFn: () => unwrap(api.GET('/v1/roles')) });
}

export function useApiKeys(includeRevoked: boolean) {
  return usePagedList(apiKeyKeys.list(includeRevoked), (cursor) => unwrap(api.GET('/v1/api-keys', { params: { query: { cursor, limit: 50, includeRevoked } } })));
}

export function useCreateApiKey(options?: MutationOptions<Awaited<ReturnType<typeof createApiKey>>, Body<'/v1/api-keys', 'post'>>) {
  return useApiMutation(createApiKey, { invalidates: () => [apiKeyKeys.all] }, options);
}
const createApiKey = (body: Body<'/v1/api-keys', 'post'>) => unwrap(api.POST('/v1/api-keys', { headers: createHeaders(), body }));

export function useRevokeApiKey(options?: MutationOptions<Schemas['ApiKey'], string>) {
  return useApiMutation((id: string) => unwrap(api.POST('/v1/api-keys/{id}/revoke', { params: { path: { id } }, headers: createHeaders() })), { invalidates: () => [apiKeyKeys.all] }, options);
}

export function useAuditLog(filters: AuditFilters) {
  return usePagedList(auditKeys.list(filters), (cursor) => unwrap(api.GET('/v1/audit-log', { params: { query: { ...filters, cursor, limit: 50 } } })));
}
