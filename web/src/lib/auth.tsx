// Who is signed in. The token lives in `session`; the rest (name, role, permissions) is asked from
// GET /v1/auth/me, so the screens always reflect what the server will actually allow.
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useSyncExternalStore } from 'react';
import { api, unwrap } from '../api/client';
import { useMeQuery } from '../api/hooks/staff';
import { session } from './session';

export function useToken() {
  return useSyncExternalStore(session.subscribe, session.token);
}

export function useMe() {
  const token = useToken();
  return useMeQuery(token);
}

export function useCan() {
  const me = useMe().data;
  return useCallback((permission: string | undefined) => !permission || !!me?.permissions.includes(permission), [me]);
}

export async function signIn(email: string, password: string) {
  const result = await unwrap(api.POST('/v1/auth/sign-in', { body: { email, password } }));
  session.start(result.token);
  return result;
}

export function useSignOut() {
  const client = useQueryClient();
  return useCallback(async () => {
    try {
      await api.POST('/v1/auth/sign-out');
    } catch {
      // Signed out locally either way; an expired session needs no server call.
    }
    session.clear();
    client.clear();
  }, [client]);
}
