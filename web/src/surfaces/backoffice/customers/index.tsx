// The customer 360° screens of the back office, mounted at `customers/*`.
import { Route, Routes } from 'react-router';
import '../../../locales/customers';
import { NotFound } from '../../../components/NotFound';
import { CustomersPage } from './CustomersPage';
import { ProfilePage } from './ProfilePage';

export default function CustomerRoutes() {
  return (
    <Routes>
      <Route index element={<CustomersPage />} />
      <Route path=":id" element={<ProfilePage />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
