import { Alert, Button, Group, Modal, PasswordInput, Select, Stack, TagsInput, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem, type Schemas, type StaffRole } from '../../api/client';
import { SecretValue } from '../../components/SecretValue';
import { notifySuccess, problemMessage } from '../../lib/notify';
import { useCreateStaffUser } from '../../api/hooks/staff';

interface Props {
  opened: boolean;
  onClose: () => void;
  roleOptions: { value: string; label: string }[];
}

export function CreateUserModal({ opened, onClose, roleOptions }: Props) {
  const { t } = useTranslation();
  const [created, setCreated] = useState<Schemas['CreatedStaffUser'] | null>(null);
  const form = useForm({
    initialValues: { email: '', name: '', role: '' as string, storeIds: [] as string[], password: '' },
    validate: {
      email: (v) => (/^\S+@\S+\.\S+$/.test(v.trim()) ? null : t('users.form.emailInvalid')),
      name: (v) => (v.trim() ? null : t('users.form.nameRequired')),
      role: (v) => (v ? null : t('users.form.roleRequired')),
      password: (v) => (!v || v.length >= 10 ? null : t('users.form.passwordTooShort')),
    },
  });
  const create = useCreateStaffUser({
    onSuccess: (result) => {
      if (result.generatedPassword) setCreated(result);
      else {
        notifySuccess(t('users.created', { name: result.user.name }));
        close();
      }
    },
    onError: (err) => {
      if (err instanceof ApiProblem) form.setErrors(err.fieldErrors());
    },
  });

  function close() {
    form.reset();
    create.reset();
    setCreated(null);
    onClose();
  }

  return (
    <Modal opened={opened} onClose={close} title={created ? t('users.createdTitle') : t('users.new')} size="lg">
      {created ? (
        <Stack>
          <Text size="sm">{t('users.createdText', { name: created.user.name, email: created.user.email })}</Text>
          <SecretValue label={t('users.generatedPassword')} value={created.generatedPassword!} />
          <Alert color="yellow" variant="light">
            {t('users.shownOnce')}
          </Alert>
          <Group justify="flex-end">
            <Button onClick={close}>{t('common.done')}</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={form.onSubmit((v) =>
            create.mutate({
              email: v.email.trim(),
              name: v.name.trim(),
              role: v.role as StaffRole,
              ...(v.storeIds.length ? { storeIds: v.storeIds } : {}),
              ...(v.password ? { password: v.password } : {}),
            }),
          )} noValidate>
          <Stack>
            {create.isError && (
              <Alert color="red" role="alert">
                {problemMessage(create.error)}
              </Alert>
            )}
            <TextInput label={t('users.email')} type="email" required data-autofocus {...form.getInputProps('email')} />
            <TextInput label={t('users.name')} required {...form.getInputProps('name')} />
            <Select label={t('users.role')} required data={roleOptions} allowDeselect={false} {...form.getInputProps('role')} />
            <TagsInput label={t('users.stores')} description={t('users.form.storesHint')} {...form.getInputProps('storeIds')} />
            <PasswordInput label={t('users.form.password')} description={t('users.form.passwordHint')} autoComplete="new-password" {...form.getInputProps('password')} />
            <Group justify="flex-end" mt="sm">
              <Button variant="default" onClick={close}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" loading={create.isPending}>
                {t('users.create')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
