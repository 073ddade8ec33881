// The fulfilment queue in the back office, mounted at `fulfilment/*`.
import { Route, Routes } from 'react-router';
import { NotFound } from '../../../components/NotFound';
import '../../../locales/fulfilment';
import { FulfilmentQueuePage } from './FulfilmentQueuePage';

export default function FulfilmentRoutes() {
  return (
    <Routes>
      <Route index element={<FulfilmentQueuePage />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
