// Not built yet: this surface says so, and what it will offer.
import { ComingLater } from '../../components/ComingLater';

export default function Storefront() {
  return <ComingLater surface="storefront" />;
}
