// Developer tools: what Winkel sent out (webhooks, e-mail) and the event stream behind it.
import { Route, Routes } from 'react-router';
import { NotFound } from '../../components/NotFound';
import { SurfaceHome } from '../../components/SurfaceHome';
import { EventsPage } from './EventsPage';
import { MailCatcherPage } from './MailCatcherPage';
import { WebhooksPage } from './WebhooksPage';

export default function Devtools() {
  return (
    <Routes>
      <Route index element={<SurfaceHome surface="devtools" />} />
      <Route path="webhooks" element={<WebhooksPage />} />
      <Route path="events" element={<EventsPage />} />
      <Route path="mail" element={<MailCatcherPage />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
