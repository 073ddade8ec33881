import { Group, Text, ThemeIcon } from '@mantine/core';

/** The Winkel word mark. */
export function Brand({ size = 'lg', compact = false }: { size?: 'md' | 'lg'; compact?: boolean }) {
  return (
    <Group gap={8} wrap="nowrap">
      <ThemeIcon size={size === 'lg' ? 34 : 28} radius="md" variant="filled" aria-hidden>
        <Text fw={800} c="white" size={size === 'lg' ? 'lg' : 'md'}>
          W
        </Text>
      </ThemeIcon>
      <Text fw={750} size={size === 'lg' ? 'xl' : 'lg'} lts={-0.3} visibleFrom={compact ? 'xs' : undefined}>
        Winkel
      </Text>
    </Group>
  );
}
