// Returns and gift cards in the back office: the list of returns, a return taken at a store, and
// gift cards. Mounted by the back office at `returns/*`.
import { Route, Routes } from 'react-router';
import { NotFound } from '../../../components/NotFound';
import '../../../locales/returns';
import { GiftCardsPage } from './GiftCardsPage';
import { ReturnAtStorePage } from './ReturnAtStorePage';
import { ReturnsListPage } from './ReturnsListPage';

export default function ReturnsRoutes() {
  return (
    <Routes>
      <Route index element={<ReturnsListPage />} />
      <Route path="new" element={<ReturnAtStorePage />} />
      <Route path="gift-cards" element={<GiftCardsPage />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
