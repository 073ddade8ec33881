// The privacy (GDPR) screen of the back office, mounted at `privacy`.
import './i18n';
import { PrivacyPage } from './PrivacyPage';

export default function PrivacyRoutes() {
  return <PrivacyPage />;
}
