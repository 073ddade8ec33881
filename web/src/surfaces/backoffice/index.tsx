// Back office: people, credentials and the trail of what they did.
import { Route, Routes } from 'react-router';
import { NotFound } from '../../components/NotFound';
import { SurfaceHome } from '../../components/SurfaceHome';
import { ApiKeysPage } from './ApiKeysPage';
import { AuditLogPage } from './AuditLogPage';
import { UsersPage } from './UsersPage';

export default function Backoffice() {
  return (
    <Routes>
      <Route index element={<SurfaceHome surface="backoffice" />} />
      <Route path="users" element={<UsersPage />} />
      <Route path="api-keys" element={<ApiKeysPage />} />
      <Route path="audit-log" element={<AuditLogPage />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
