import { Center, Loader } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation } from 'react-router';
import { useMe, useToken } from '../lib/auth';
import { QueryError } from './QueryError';

/** Shows its children only to a signed-in staff user; everyone else goes to the sign-in page. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const token = useToken();
  const me = useMe();
  const location = useLocation();
  const { t } = useTranslation();
  if (!token) return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  if (me.isPending) {
    return (
      <Center h="100vh">
        <Loader aria-label={t('common.loading')} />
      </Center>
    );
  }
  if (me.isError) return <QueryError error={me.error} onRetry={() => void me.refetch()} m="xl" />;
  return <>{children}</>;
}
