// One page for a stock document with lines (purchase order, transfer, count sheet): a back link, the
// title with the id and a status badge, the header fields, an optional summary, the actions the
// document's status allows, hints, and the table of lines with a SKU column first. Each page
// configures it with its columns, its actions and what its status flow allows; entering quantities
// stays in the page (the columns render its inputs).
import { Alert, Anchor, Badge, Button, Card, Center, Group, Loader, SimpleGrid, Stack, Table, Text, Title, type TableTdProps } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { useVariantInfo, type VariantInfo } from '../api/hooks/catalog';
import { PageHeader } from './PageHeader';
import { QueryError } from './QueryError';
import { VariantLabel } from './VariantLabel';

export interface DocumentField {
  label: string;
  value: string;
}

export interface DocumentAction {
  label: string;
  onClick: () => void;
  loading?: boolean;
  disabled?: boolean;
  variant?: 'filled' | 'default' | 'light';
  color?: string;
}

export interface LineColumn<L> {
  key: string;
  header: ReactNode;
  align?: 'right';
  /** The cell; `sku` is the line's SKU once known (for labels of inputs), else its variant id. */
  render: (line: L, sku: string) => ReactNode;
  cell?: (line: L) => TableTdProps;
}

export interface DocumentConfig<L extends { variantId: string }> {
  /** Names the test ids and landmarks: `${kind}-status`, `${kind}-lines`. */
  kind: string;
  back: { to: string; label: string };
  title: string;
  id: string;
  status: { label: string; color: string };
  fields: DocumentField[];
  /** Shown between the header fields and the actions (a report, say). */
  summary?: ReactNode;
  /** The buttons the current status (and the user's permission) allows; none hides the bar. */
  actions: DocumentAction[];
  /** A short text after the buttons (why one is disabled, say). */
  actionNote?: ReactNode;
  /** Alerts under the actions: hints while entering, outcomes after. */
  notices?: Array<{ text: ReactNode; color: string; testId?: string } | false | null | undefined>;
  lines: { title: string; minWidth: number; rows: L[]; columns: Array<LineColumn<L> | false | null | undefined>; skuHeader: string };
}

export function DocumentWithLines<D, L extends { variantId: string }>({ query, loadingLabel, config, children }: { query: UseQueryResult<D>; loadingLabel: string; config: (doc: D) => DocumentConfig<L>; children?: ReactNode }) {
  if (query.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label={loadingLabel} />
      </Center>
    );
  }
  if (query.isError) return <QueryError error={query.error} onRetry={() => void query.refetch()} />;
  const c = config(query.data);
  const columns = c.lines.columns.filter((col): col is LineColumn<L> => !!col);
  const notices = (c.notices ?? []).filter((n): n is { text: ReactNode; color: string; testId?: string } => !!n);
  return (
    <Stack gap="xl">
      <div>
        <Anchor component={Link} to={c.back.to} size="sm">
          ← {c.back.label}
        </Anchor>
        <PageHeader
          title={c.title}
          description={c.id}
          actions={
            <Badge size="lg" variant="light" color={c.status.color} data-testid={`${c.kind}-status`}>
              {c.status.label}
            </Badge>
          }
        />
      </div>
      <Card withBorder padding="lg">
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
          {c.fields.map((f) => (
            <div key={f.label}>
              <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
                {f.label}
              </Text>
              <Text size="sm">{f.value}</Text>
            </div>
          ))}
        </SimpleGrid>
      </Card>
      {c.summary}
      {c.actions.length > 0 && (
        <Group gap="sm">
          {c.actions.map((a) => (
            <Button key={a.label} variant={a.variant ?? 'filled'} color={a.color} onClick={a.onClick} loading={a.loading} disabled={a.disabled}>
              {a.label}
            </Button>
          ))}
          {c.actionNote && (
            <Text size="sm" c="dimmed">
              {c.actionNote}
            </Text>
          )}
        </Group>
      )}
      {notices.map((n, i) => (
        <Alert key={n.testId ?? i} color={n.color} variant="light" data-testid={n.testId}>
          {n.text}
        </Alert>
      ))}
      <section aria-labelledby={`${c.kind}-lines`}>
        <Title order={2} size="h3" id={`${c.kind}-lines`} mb="md">
          {c.lines.title}
        </Title>
        <Table.ScrollContainer minWidth={c.lines.minWidth}>
          <Table striped verticalSpacing="sm" aria-label={c.lines.title}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{c.lines.skuHeader}</Table.Th>
                {columns.map((col) => (
                  <Table.Th key={col.key} ta={col.align}>
                    {col.header}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {c.lines.rows.map((line) => (
                <LineRow key={line.variantId} line={line} columns={columns} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </section>
      {children}
    </Stack>
  );
}

function LineRow<L extends { variantId: string }>({ line, columns }: { line: L; columns: LineColumn<L>[] }) {
  const info: VariantInfo | undefined = useVariantInfo(line.variantId).data;
  const sku = info?.sku ?? line.variantId;
  return (
    <Table.Tr>
      <Table.Td>
        <VariantLabel variantId={line.variantId} />
      </Table.Td>
      {columns.map((col) => (
        <Table.Td key={col.key} ta={col.align} {...col.cell?.(line)}>
          {col.render(line, sku)}
        </Table.Td>
      ))}
    </Table.Tr>
  );
}
