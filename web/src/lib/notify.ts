// Short confirmations and failures in the corner of the screen.
import { notifications } from '@mantine/notifications';
import i18n from 'i18next';
import { ApiProblem } from '../api/client';

export function notifySuccess(message: string) {
  notifications.show({ color: 'teal', message, autoClose: 4000 });
}

export function problemMessage(error: unknown): string {
  if (error instanceof ApiProblem) return error.detail;
  if (error instanceof Error) return error.message;
  return i18n.t('common.unexpectedError');
}

export function notifyError(error: unknown) {
  notifications.show({ color: 'red', title: i18n.t('common.failed'), message: problemMessage(error), autoClose: 8000 });
}
