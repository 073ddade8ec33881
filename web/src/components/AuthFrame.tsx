// The frame of the staff pages one sees before signing in: sign-in and password reset.
import { Box, Center, Group, Paper, Stack } from '@mantine/core';
import type { ReactNode } from 'react';
import { Brand } from './Brand';
import { LanguageSwitch } from './LanguageSwitch';

export function AuthFrame({ children }: { children: ReactNode }) {
  return (
    <Box bg="var(--mantine-color-gray-0)" mih="100vh">
      <Group justify="flex-end" p="md">
        <LanguageSwitch />
      </Group>
      <Center px="md" pb="xl">
        <Paper component="main" withBorder shadow="sm" p="xl" w="100%" maw={420}>
          <Stack gap="lg">
            <Brand />
            {children}
          </Stack>
        </Paper>
      </Center>
    </Box>
  );
}
