import { Alert, Button, Group, Modal, PasswordInput, Select, Stack, TagsInput, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem, type Schemas, type StaffRole } from '../../api/client';
import { notifyError, notifySuccess, problemMessage } from '../../lib/notify';
import { useUpdateStaffUser } from '../../api/hooks/staff';

interface Props {
  user: Schemas['StaffUser'] | null;
  onClose: () => void;
  roleOptions: { value: string; label: string }[];
}

type Patch = { name?: string; role?: StaffRole; storeIds?: string[] | null; status?: 'active' | 'disabled'; password?: string };

export function EditUserModal({ user, onClose, roleOptions }: Props) {
  const { t } = useTranslation();
  const form = useForm({
    initialValues: { name: '', role: '', status: 'active', storeIds: [] as string[], password: '' },
    validate: {
      name: (v) => (v.trim() ? null : t('users.form.nameRequired')),
      password: (v) => (!v || v.length >= 10 ? null : t('users.form.passwordTooShort')),
    },
  });

  useEffect(() => {
    if (user) form.setValues({ name: user.name, role: user.role, status: user.status, storeIds: user.storeIds ?? [], password: '' });
  }, [user]);

  // A 412 (someone else changed this user meanwhile) refetches the list: their version shows instead of being overwritten.
  const save = useUpdateStaffUser({
    onSuccess: (updated) => {
      notifySuccess(t('users.saved', { name: updated.name }));
      close();
    },
    onError: (err) => {
      if (err instanceof ApiProblem && err.status === 412) {
        notifyError(err);
        close();
      } else if (err instanceof ApiProblem) form.setErrors(err.fieldErrors());
    },
  });

  function close() {
    save.reset();
    onClose();
  }

  function submit(v: typeof form.values) {
    if (!user) return;
    const patch: Patch = {};
    if (v.name.trim() !== user.name) patch.name = v.name.trim();
    if (v.role !== user.role) patch.role = v.role as StaffRole;
    if (v.status !== user.status) patch.status = v.status as 'active' | 'disabled';
    const stores = v.storeIds.length ? v.storeIds : null;
    if (JSON.stringify(stores) !== JSON.stringify(user.storeIds)) patch.storeIds = stores;
    if (v.password) patch.password = v.password;
    if (Object.keys(patch).length === 0) return close();
    save.mutate({ id: user.id, version: user.version, patch });
  }

  return (
    <Modal opened={!!user} onClose={close} title={t('users.editTitle', { name: user?.name ?? '' })} size="lg">
      <form onSubmit={form.onSubmit(submit)} noValidate>
        <Stack>
          {save.isError && !(save.error instanceof ApiProblem && save.error.status === 412) && (
            <Alert color="red" role="alert">
              {problemMessage(save.error)}
            </Alert>
          )}
          <TextInput label={t('users.name')} required data-autofocus {...form.getInputProps('name')} />
          <Select label={t('users.role')} required data={roleOptions} allowDeselect={false} {...form.getInputProps('role')} />
          <Select
            label={t('users.statusLabel')}
            description={t('users.form.statusHint')}
            required
            allowDeselect={false}
            data={[
              { value: 'active', label: t('users.status.active') },
              { value: 'disabled', label: t('users.status.disabled') },
            ]}
            {...form.getInputProps('status')}
          />
          <TagsInput label={t('users.stores')} description={t('users.form.storesHint')} {...form.getInputProps('storeIds')} />
          <PasswordInput label={t('users.form.newPassword')} description={t('users.form.newPasswordHint')} autoComplete="new-password" {...form.getInputProps('password')} />
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
