import { Code, ScrollArea, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { prettyJson } from '../lib/format';

/** A JSON value, indented, in a scrollable monospace block. */
export function JsonBlock({ value, label, maxHeight = 360 }: { value: unknown; label?: string; maxHeight?: number }) {
  const { t } = useTranslation();
  return (
    <div>
      {label && (
        <Text size="xs" fw={700} c="dimmed" tt="uppercase" mb={4}>
          {label}
        </Text>
      )}
      {value === null || value === undefined ? (
        <Text size="sm" c="dimmed">
          {t('common.none')}
        </Text>
      ) : (
        <ScrollArea.Autosize mah={maxHeight} type="auto">
          <Code block tabIndex={0} aria-label={label}>
            {prettyJson(value)}
          </Code>
        </ScrollArea.Autosize>
      )}
    </div>
  );
}
