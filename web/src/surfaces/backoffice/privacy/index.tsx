// The privacy (GDPR) screen of the back office, mounted at `privacy`.
import '../../../locales/privacy';
import { PrivacyPage } from './PrivacyPage';

export default function PrivacyRoutes() {
  return <PrivacyPage />;
}
