// Orders in the back office: the list with its filters and one order in detail. Mounted by the
// back office at `orders/*`.
import { Route, Routes } from 'react-router';
import { NotFound } from '../../../components/NotFound';
import '../../../locales/orders';
import { OrderDetailPage } from './OrderDetailPage';
import { OrdersListPage } from './OrdersListPage';

export default function OrdersRoutes() {
  return (
    <Routes>
      <Route index element={<OrdersListPage />} />
      <Route path=":id" element={<OrderDetailPage />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
