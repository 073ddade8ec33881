import i18n from 'i18next';
export { useRoles } from '../../api/hooks/staff';

/** Roles with their permissions, and the list of every permission (the scopes a key can have). */

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
