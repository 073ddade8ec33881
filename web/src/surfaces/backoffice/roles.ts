import { useQuery } from '@tanstack/react-query';
import i18n from 'i18next';
import { api, unwrap } from '../../api/client';

/** Roles with their permissions, and the list of every permission (the scopes a key can have). */
export function useRoles() {
  return useQuery({ queryKey: ['roles'], queryFn: () => unwrap(api.GET('/v1/roles')), staleTime: 10 * 60_000 });
}

export function roleLabel(role: string) {
  return i18n.t(`roles.${role}`, { defaultValue: role });
}

export const ROLE_COLORS: Record<string, string> = {
  admin: 'red',
  merchandiser: 'grape',
  marketer: 'pink',
  store_manager: 'blue',
  store_associate: 'cyan',
  service_agent: 'teal',
  planner: 'orange',
};
