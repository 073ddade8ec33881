// Promotions in the back office: the list, the builder for a new one, and a saved one with its
// coupon codes. Mounted by the back office at `promotions/*`.
import { Route, Routes } from 'react-router';
import { NotFound } from '../../../components/NotFound';
import '../../../locales/promotions';
import { PromotionsListPage } from './PromotionsListPage';
import { NewPromotionPage, PromotionDetailPage } from './PromotionPage';

export default function PromotionsRoutes() {
  return (
    <Routes>
      <Route index element={<PromotionsListPage />} />
      <Route path="new" element={<NewPromotionPage />} />
      <Route path=":id" element={<PromotionDetailPage />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
