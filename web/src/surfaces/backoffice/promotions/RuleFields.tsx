// The fields of the chosen rule kind. Amounts are euros as typed; the model turns them into cents.
import { Button, Card, Checkbox, CloseButton, Group, NumberInput, Radio, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { RULE_KINDS, newComponent, type FormErrors, type RuleKind, type RuleState } from './model';
import { TargetFields } from './TargetFields';

export function RuleFields({ value, onChange, errors }: { value: RuleState; onChange: (next: RuleState) => void; errors: FormErrors }) {
  const { t } = useTranslation('promotions');
  const set = (patch: Partial<RuleState>) => onChange({ ...value, ...patch });
  const euro = (field: 'amountPerUnit' | 'amount' | 'minSubtotal' | 'forPrice' | 'bundlePrice', label: string, description?: string) => (
    <TextInput
      label={label}
      description={description}
      leftSection="€"
      inputMode="decimal"
      placeholder={t('rule.euroPlaceholder')}
      value={value[field]}
      onChange={(e) => set({ [field]: e.currentTarget.value })}
      error={errors[`rule.${field}`]}
    />
  );
  const count = (field: 'buy' | 'get' | 'quantity' | 'payFor', label: string, min: number) => (
    <NumberInput label={label} min={min} allowDecimal={false} allowNegative={false} value={value[field]} onChange={(v) => set({ [field]: v })} error={errors[`rule.${field}`]} />
  );
  const percent = (field: 'percent' | 'getPercentOff', label: string) => (
    <NumberInput label={label} rightSection="%" min={0} max={100} decimalScale={2} allowNegative={false} value={value[field]} onChange={(v) => set({ [field]: v })} error={errors[`rule.${field}`]} />
  );

  return (
    <Stack gap="sm">
      <Select
        label={t('rule.kind')}
        data={RULE_KINDS.map((k) => ({ value: k, label: t(`kinds.${k}`) }))}
        value={value.kind}
        onChange={(k) => k && set({ kind: k as RuleKind })}
        allowDeselect={false}
        description={t(`kindHints.${value.kind}`)}
      />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        {value.kind === 'percent_off_items' && percent('percent', t('rule.percent'))}
        {value.kind === 'amount_off_items' && euro('amountPerUnit', t('rule.amountPerUnit'))}
        {value.kind === 'percent_off_order' && (
          <>
            {percent('percent', t('rule.percent'))}
            {euro('minSubtotal', t('rule.minSubtotal'), t('rule.optional'))}
          </>
        )}
        {value.kind === 'amount_off_order' && (
          <>
            {euro('amount', t('rule.amount'))}
            {euro('minSubtotal', t('rule.minSubtotal'), t('rule.optional'))}
          </>
        )}
        {value.kind === 'buy_x_get_y' && (
          <>
            {count('buy', t('rule.buy'), 1)}
            {count('get', t('rule.get'), 1)}
            {percent('getPercentOff', t('rule.getPercentOff'))}
          </>
        )}
        {value.kind === 'multi_buy' && (
          <>
            {count('quantity', t('rule.quantity'), 2)}
            <Radio.Group label={t('rule.multiMode')} value={value.multiMode} onChange={(m) => set({ multiMode: m as RuleState['multiMode'] })}>
              <Group gap="md" mt={6}>
                <Radio value="payFor" label={t('rule.multiPayFor')} />
                <Radio value="forPrice" label={t('rule.multiForPrice')} />
              </Group>
            </Radio.Group>
            {value.multiMode === 'payFor' ? count('payFor', t('rule.payFor'), 1) : euro('forPrice', t('rule.forPrice'))}
          </>
        )}
        {value.kind === 'bundle' && euro('bundlePrice', t('rule.bundlePrice'))}
        {value.kind === 'free_shipping' && euro('minSubtotal', t('rule.minSubtotal'), t('rule.optional'))}
      </SimpleGrid>

      {value.kind === 'buy_x_get_y' && (
        <>
          <Checkbox label={t('rule.getTargetSame')} checked={value.getTargetSame} onChange={(e) => set({ getTargetSame: e.currentTarget.checked })} />
          {!value.getTargetSame && (
            <TargetFields label={t('rule.getTarget')} value={value.getTarget} onChange={(getTarget) => set({ getTarget })} path="rule.getTarget" errors={errors} />
          )}
        </>
      )}

      {value.kind === 'bundle' && (
        <Stack gap="sm">
          <Text size="sm" fw={500}>
            {t('rule.components')}
          </Text>
          {errors['rule.components'] && (
            <Text size="sm" c="red">
              {errors['rule.components']}
            </Text>
          )}
          {value.components.map((c, i) => {
            const update = (patch: Partial<typeof c>) => set({ components: value.components.map((x) => (x.key === c.key ? { ...x, ...patch } : x)) });
            return (
              <Card key={c.key} withBorder padding="sm" component="fieldset" aria-label={t('rule.componentN', { n: i + 1 })}>
                <Group justify="space-between" mb="xs">
                  <Text size="sm" fw={600}>
                    {t('rule.componentN', { n: i + 1 })}
                  </Text>
                  <CloseButton aria-label={t('rule.removeComponent', { n: i + 1 })} disabled={value.components.length <= 2} onClick={() => set({ components: value.components.filter((x) => x.key !== c.key) })} />
                </Group>
                <SimpleGrid cols={{ base: 1, sm: 2 }} mb="xs">
                  <TextInput label={t('rule.componentLabel')} description={t('rule.optional')} value={c.label} onChange={(e) => update({ label: e.currentTarget.value })} />
                  <NumberInput label={t('rule.componentQuantity')} min={1} allowDecimal={false} allowNegative={false} value={c.quantity} onChange={(quantity) => update({ quantity })} error={errors[`rule.components.${i}.quantity`]} />
                </SimpleGrid>
                <TargetFields label={t('rule.componentTarget')} value={c.target} onChange={(target) => update({ target })} path={`rule.components.${i}.target`} errors={errors} allowAll={false} />
              </Card>
            );
          })}
          <Group>
            <Button variant="default" size="xs" disabled={value.components.length >= 20} onClick={() => set({ components: [...value.components, newComponent()] })}>
              {t('rule.addComponent')}
            </Button>
          </Group>
        </Stack>
      )}
    </Stack>
  );
}
