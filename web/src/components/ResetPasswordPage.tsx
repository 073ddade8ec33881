// Staff password reset at /reset-password: the "forgot your password?" of the sign-in page, and
// where the reset e-mail's link lands (POST /v1/auth/password-reset and …/confirm).
import { api, unwrap } from '../api/client';
import { session } from '../lib/session';
import { AuthFrame } from './AuthFrame';
import { PasswordReset } from './PasswordReset';

export function ResetPasswordPage() {
  return (
    <AuthFrame>
      <PasswordReset
        ns="translation"
        signInTo="/sign-in"
        requestTo="/reset-password"
        requestReset={(email, locale) => unwrap(api.POST('/v1/auth/password-reset', { body: { email, locale } }))}
        confirmReset={(token, password) => unwrap(api.POST('/v1/auth/password-reset/confirm', { body: { token, password } }))}
        // Every session of the user ended, this browser's too if it was theirs.
        onPasswordChanged={() => session.clear()}
      />
    </AuthFrame>
  );
}
