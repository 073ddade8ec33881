// The shopper's password reset at /storefront/account/reset-password: asking for the link (from the
// account page's "forgot your password?") and choosing the new password from the e-mail's link
// (POST /v1/customer-auth/password-reset and …/confirm).
import { useEffect } from 'react';
import { unwrap } from '../../api/client';
import { PasswordReset } from '../../components/PasswordReset';
import { trackPage } from './sdk';
import { customerSession, shop } from '../../api/shop';

export function ResetPasswordPage() {
  useEffect(() => trackPage('Reset password'), []);
  return (
    <PasswordReset
      // The reset texts are the app's own (web/src/locales), shared with the staff page.
      ns="translation"
      signInTo="/storefront/account"
      requestTo="/storefront/account/reset-password"
      // The shop's account knows the shopper's language; the request needs only the address.
      requestReset={(email) => unwrap(shop.POST('/v1/customer-auth/password-reset', { body: { email } }))}
      confirmReset={(token, password) => unwrap(shop.POST('/v1/customer-auth/password-reset/confirm', { body: { token, password } }))}
      // Every session of the account ended, this browser's too if it was theirs.
      onPasswordChanged={() => customerSession.set(null)}
    />
  );
}
