// Checkout: who the confirmation goes to, how each line reaches the shopper (delivery or the
// pickup store), and the test card. One submit is one Idempotency-Key, so a double click or a
// retried request never pays twice; a price that changed since the cart was shown is refused by
// the API (409 cart_changed) and shown here before the shopper confirms again. A cart with home
// delivery asks for the delivery address (checked here and again by the API, which names the field).
import { Alert, Anchor, Button, Card, Code, Grid, List, Radio, Select, SimpleGrid, Skeleton, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { ApiProblem, unwrap } from '../../api/client';
import { formatMoney } from '../../lib/money';
import { problemMessage } from '../../lib/notify';
import { usePageTitle } from '../../lib/usePageTitle';
import { trackPage } from './sdk';
import { cartIdStore, forgetCart, quoteOf, rememberOrder, shop, type Cart } from '../../api/shop';
import { useCart, useCustomer, useShopConfig, useStores, useVariantTitle, useShopCache } from '../../api/hooks/shop';
import { Totals } from './Totals';

function LineSummary({ line, storeName }: { line: Cart['lines'][number]; storeName: string | undefined }) {
  const { t } = useTranslation('shop');
  const title = useVariantTitle(line.variantId);
  return (
    <List.Item>
      <Text size="sm">
        {line.quantity} × {title.data?.product.displayTitle ?? line.sku} —{' '}
        <Text span c="dimmed" size="sm">
          {line.fulfilment === 'pickup' ? t('checkout.pickupAt', { store: storeName ?? line.pickupLocationId }) : t('checkout.homeDelivery')}
        </Text>
      </Text>
    </List.Item>
  );
}

const COUNTRIES = ['NL', 'BE', 'DE', 'LU', 'FR'] as const;
const POSTAL: Record<string, RegExp> = { NL: /^[1-9][0-9]{3} ?[A-Za-z]{2}$/, BE: /^[1-9][0-9]{3}$/, DE: /^[0-9]{5}$/, LU: /^(L-)?[0-9]{4}$/, FR: /^[0-9]{5}$/ };
interface AddressForm {
  name: string;
  line1: string;
  line2: string;
  postalCode: string;
  city: string;
  country: string;
  phone: string;
}
type AddressErrors = Partial<Record<keyof AddressForm, string>>;

/** Client-side checks mirroring the API's, so the shopper sees what to fix before paying. */
function checkAddress(a: AddressForm, t: (k: string) => string): AddressErrors {
  const out: AddressErrors = {};
  for (const k of ['name', 'line1', 'postalCode', 'city'] as const) if (!a[k].trim()) out[k] = t('checkout.address.required');
  if (a.postalCode.trim() && POSTAL[a.country] && !POSTAL[a.country].test(a.postalCode.trim())) out.postalCode = t('checkout.address.postalCodeInvalid');
  if (a.phone.trim() && !/^\+[1-9][0-9]{6,14}$/.test(a.phone.replace(/[\s()-]/g, ''))) out.phone = t('checkout.address.phoneInvalid');
  return out;
}

function AddressFields({ value, onChange, errors }: { value: AddressForm; onChange: (a: AddressForm) => void; errors: AddressErrors }) {
  const { t } = useTranslation('shop');
  const field = (k: keyof AddressForm) => ({ value: value[k], onChange: (e: { currentTarget: { value: string } }) => onChange({ ...value, [k]: e.currentTarget.value }), error: errors[k] });
  return (
    <Stack gap="sm">
      <TextInput label={t('checkout.address.name')} autoComplete="shipping name" required {...field('name')} />
      <TextInput label={t('checkout.address.line1')} autoComplete="shipping address-line1" required {...field('line1')} />
      <TextInput label={t('checkout.address.line2')} autoComplete="shipping address-line2" {...field('line2')} />
      <SimpleGrid cols={{ base: 1, xs: 2 }}>
        <TextInput label={t('checkout.address.postalCode')} autoComplete="shipping postal-code" required {...field('postalCode')} />
        <TextInput label={t('checkout.address.city')} autoComplete="shipping address-level2" required {...field('city')} />
      </SimpleGrid>
      <Select
        label={t('checkout.address.country')}
        data={COUNTRIES.map((c) => ({ value: c, label: t(`checkout.address.countries.${c}`) }))}
        value={value.country}
        onChange={(c) => c && onChange({ ...value, country: c })}
        allowDeselect={false}
        error={errors.country}
      />
      <TextInput label={t('checkout.address.phone')} description={t('checkout.address.phoneHint')} type="tel" autoComplete="shipping tel" {...field('phone')} />
    </Stack>
  );
}

export function CheckoutPage() {
  const { t } = useTranslation('shop');
  usePageTitle(t('checkout.title'));
  useEffect(() => trackPage('Checkout'), []);
  const navigate = useNavigate();
  const cache = useShopCache();
  const cart = useCart();
  const customer = useCustomer();
  // The gateway's documented test numbers come from the server, so the hint matches what it does.
  const shopConfig = useShopConfig().data;
  const testCards = shopConfig?.testCards ?? [];
  const stores = useStores();
  const storeName = new Map((stores.data ?? []).map((s) => [s.id, s.name]));
  const [email, setEmail] = useState('');
  const [card, setCard] = useState('');
  // Reserve in store, pay at the counter: offered when every line is collected.
  const [payLater, setPayLater] = useState(false);
  const [errors, setErrors] = useState<{ email?: string; card?: string }>({});
  const [address, setAddress] = useState<AddressForm>({ name: '', line1: '', line2: '', postalCode: '', city: '', country: 'NL', phone: '' });
  const [addressErrors, setAddressErrors] = useState<AddressErrors>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [changed, setChanged] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // One key per attempt: a retry of the same attempt is recognised by the API.
  const attempt = useRef<string | null>(null);

  useEffect(() => {
    if (customer.data && !email) setEmail(customer.data.email);
    if (customer.data?.name && !address.name) setAddress((a) => ({ ...a, name: customer.data!.name ?? '' }));
  }, [customer.data]);
  useEffect(() => {
    if (shopConfig?.country && !address.line1) setAddress((a) => ({ ...a, country: shopConfig.country }));
  }, [shopConfig?.country]);

  const c = cart.data;
  const quote = quoteOf(c);
  if (cart.isPending && cartIdStore.get()) return <Skeleton h={240} />;
  if (!c || !c.lines.length || !quote) {
    return (
      <Stack gap="md" align="flex-start">
        <Title order={1} size="h2">
          {t('checkout.title')}
        </Title>
        <Text c="dimmed">{t('cart.empty')}</Text>
        <Button component={Link} to="/storefront">
          {t('cart.continue')}
        </Button>
      </Stack>
    );
  }

  const delivers = c.lines.some((l) => l.fulfilment === 'delivery');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const digits = card.replace(/\s+/g, '');
    const next: typeof errors = {};
    if (!customer.data && !/^\S+@\S+\.\S+$/.test(email.trim())) next.email = t('checkout.emailInvalid');
    const atPickup = payLater && !delivers;
    if (!atPickup && !/^\d{12,19}$/.test(digits)) next.card = t('checkout.cardInvalid');
    setErrors(next);
    const nextAddress = delivers ? checkAddress(address, t) : {};
    setAddressErrors(nextAddress);
    if (Object.keys(next).length || Object.keys(nextAddress).length) return;
    const shippingAddress = delivers
      ? {
          name: address.name.trim(),
          line1: address.line1.trim(),
          ...(address.line2.trim() ? { line2: address.line2.trim() } : {}),
          postalCode: address.postalCode.trim(),
          city: address.city.trim(),
          country: address.country,
          ...(address.phone.trim() ? { phone: address.phone.replace(/[\s()-]/g, '') } : {}),
        }
      : undefined;
    setBusy(true);
    setProblem(null);
    attempt.current ??= crypto.randomUUID();
    try {
      const order = await unwrap(
        shop.POST('/v1/carts/{id}/checkout', {
          params: { path: { id: c.id } },
          headers: { 'idempotency-key': attempt.current },
          body: { ...(email.trim() ? { email: email.trim() } : {}), expectedTotal: quote.total, payment: atPickup ? { method: 'pay_at_pickup' } : { method: 'test_card', cardNumber: digits }, ...(shippingAddress ? { shippingAddress } : {}) },
        }),
      );
      rememberOrder(order);
      forgetCart();
      cache.checkedOut();
      navigate(`/storefront/orders/${order.id}?placed=1`, { replace: true });
    } catch (err) {
      // The cart is open again after a failed attempt: the next submit is a new attempt.
      attempt.current = null;
      if (err instanceof ApiProblem && err.code === 'cart_changed') {
        await cart.refetch();
        setChanged(t('checkout.totalChanged'));
      } else {
        setProblem(problemMessage(err));
        if (err instanceof ApiProblem && err.errors.length) {
          setErrors(err.fieldErrors());
          // "/shippingAddress/postalCode" → the postal code field of the address.
          const onAddress: AddressErrors = {};
          for (const fe of err.errors) {
            const m = /shippingAddress\/(\w+)/.exec(fe.field);
            if (m) onAddress[m[1] as keyof AddressForm] = fe.message;
          }
          setAddressErrors(onAddress);
        }
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="lg">
      <Anchor component={Link} to="/storefront/cart" size="sm">
        ← {t('checkout.backToCart')}
      </Anchor>
      <Title order={1} size="h2">
        {t('checkout.title')}
      </Title>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <form onSubmit={(e) => void submit(e)} noValidate aria-label={t('checkout.title')}>
            <Stack gap="md">
              <Card withBorder padding="md" radius="md">
                <Stack gap="sm">
                  <Title order={2} size="h5">
                    {t('checkout.contact')}
                  </Title>
                  <TextInput
                    label={t('checkout.email')}
                    type="email"
                    autoComplete="email"
                    required={!customer.data}
                    value={email}
                    onChange={(e) => setEmail(e.currentTarget.value)}
                    error={errors.email}
                    description={customer.data ? t('checkout.signedInAs', { email: customer.data.email }) : t('checkout.guestHint')}
                  />
                  {!customer.data && (
                    <Text size="xs">
                      <Anchor component={Link} to="/storefront/account?next=/storefront/checkout" size="xs">
                        {t('checkout.signInInstead')}
                      </Anchor>
                    </Text>
                  )}
                </Stack>
              </Card>
              <Card withBorder padding="md" radius="md">
                <Title order={2} size="h5" mb="xs">
                  {t('checkout.howYouGetIt')}
                </Title>
                <List spacing={4}>
                  {c.lines.map((l) => (
                    <LineSummary key={l.id} line={l} storeName={l.pickupLocationId ? storeName.get(l.pickupLocationId) : undefined} />
                  ))}
                </List>
                <Anchor component={Link} to="/storefront/cart" size="xs" mt="xs" display="inline-block">
                  {t('checkout.changeInCart')}
                </Anchor>
              </Card>
              {delivers && (
                <Card withBorder padding="md" radius="md" component="section" aria-label={t('checkout.address.title')}>
                  <Title order={2} size="h5" mb="xs">
                    {t('checkout.address.title')}
                  </Title>
                  <AddressFields value={address} onChange={setAddress} errors={addressErrors} />
                </Card>
              )}
              <Card withBorder padding="md" radius="md">
                <Stack gap="sm">
                  <Title order={2} size="h5">
                    {t('checkout.payment')}
                  </Title>
                  {!delivers && (
                    <Radio.Group value={payLater ? 'later' : 'now'} onChange={(v) => setPayLater(v === 'later')} label={t('checkout.when')}>
                      <Stack gap={4} mt={4}>
                        <Radio value="now" label={t('checkout.payNow')} />
                        <Radio value="later" label={t('checkout.payAtPickup')} />
                      </Stack>
                    </Radio.Group>
                  )}
                  {!(payLater && !delivers) && <TextInput label={t('checkout.cardNumber')} inputMode="numeric" autoComplete="cc-number" value={card} onChange={(e) => setCard(e.currentTarget.value)} error={errors.card} required />}
                  {!(payLater && !delivers) && testCards.length > 0 && (
                    <Alert variant="light" color="blue" title={t('checkout.testCardsTitle')}>
                      <Stack gap={2}>
                        {testCards.map((tc) => (
                          <Text key={tc.number} size="xs">
                            <Code>{tc.number}</Code> — {t(`checkout.testCards.${tc.outcome}`, { defaultValue: tc.outcome })}
                          </Text>
                        ))}
                      </Stack>
                    </Alert>
                  )}
                </Stack>
              </Card>
              {changed && (
                <Alert color="orange" role="alert" title={t('checkout.totalChangedTitle')}>
                  {changed} {t('checkout.newTotal', { total: formatMoney(quote.total, c.currency) })}
                </Alert>
              )}
              {problem && (
                <Alert color="red" role="alert" title={t('checkout.failed')}>
                  {problem}
                </Alert>
              )}
              <Button type="submit" size="md" loading={busy}>
                {t('checkout.pay', { total: formatMoney(quote.total, c.currency) })}
              </Button>
            </Stack>
          </form>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Card withBorder padding="md" radius="md">
            <Title order={2} size="h5" mb="sm">
              {t('checkout.summary')}
            </Title>
            <Totals subtotal={quote.subtotal} discountTotal={quote.discountTotal} shipping={quote.shipping.total} total={quote.total} vat={quote.vat} currency={c.currency} />
          </Card>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
