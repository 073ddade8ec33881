// Not built yet: this surface says so, and what it will offer.
import { ComingLater } from '../../components/ComingLater';

export default function SelfCheckout() {
  return <ComingLater surface="selfcheckout" />;
}
