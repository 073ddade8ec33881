// Which addresses a webhook may be sent to. A webhook URL is chosen by whoever holds
// `webhooks:write`, and Winkel POSTs to it from inside the shop's network: without this check an
// endpoint of http://169.254.169.254/… or http://127.0.0.1:5432/ would let that caller reach the
// cloud metadata service, the database or an admin page, and read the answer in the delivery log.
// So private, loopback, link-local, shared (CGNAT), multicast, reserved and unspecified addresses
// are refused unless WEBHOOK_ALLOW_PRIVATE is set (for local development), at create/update and
// again at every delivery, after DNS resolution, connecting to the very address that was checked.
import { isIP } from 'node:net';

/** Why an address is refused; null when it is a public unicast address. */
export type AddressClass =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared (CGNAT)'
  | 'link-local'
  | 'cloud metadata'
  | 'unique-local'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'documentation'
  | 'benchmarking';

type V4Rule = [base: number, bits: number, cls: AddressClass];
const ip4 = (s: string) => s.split('.').reduce((n, part) => n * 256 + Number(part), 0);

// Checked in order: the most specific first (the metadata address sits inside link-local).
const V4_RULES: V4Rule[] = [
  [ip4('169.254.169.254'), 32, 'cloud metadata'],
  [ip4('100.100.100.200'), 32, 'cloud metadata'],
  [ip4('255.255.255.255'), 32, 'broadcast'],
  [ip4('0.0.0.0'), 8, 'unspecified'],
  [ip4('10.0.0.0'), 8, 'private'],
  [ip4('100.64.0.0'), 10, 'shared (CGNAT)'],
  [ip4('127.0.0.0'), 8, 'loopback'],
  [ip4('169.254.0.0'), 16, 'link-local'],
  [ip4('172.16.0.0'), 12, 'private'],
  [ip4('192.0.0.0'), 24, 'reserved'],
  [ip4('192.0.2.0'), 24, 'documentation'],
  [ip4('192.88.99.0'), 24, 'reserved'],
  [ip4('192.168.0.0'), 16, 'private'],
  [ip4('198.18.0.0'), 15, 'benchmarking'],
  [ip4('198.51.100.0'), 24, 'documentation'],
  [ip4('203.0.113.0'), 24, 'documentation'],
  [ip4('224.0.0.0'), 4, 'multicast'],
  [ip4('240.0.0.0'), 4, 'reserved'],
];

function classifyV4(n: number): AddressClass | null {
  for (const [base, bits, cls] of V4_RULES) {
    const size = 2 ** (32 - bits);
    if (n >= base && n < base + size) return cls;
  }
  return null;
}

/** The eight 16-bit groups of an IPv6 address (zone id dropped), or null if it is not one. */
export function ipv6Groups(address: string): number[] | null {
  let s = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIP(s) !== 6) return null;
  // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const n = ip4(dotted[1]);
    s = `${s.slice(0, dotted.index)}${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(8 - h.length - t.length).fill('0');
  const groups = [...h, ...fill, ...t].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

function classifyV6(g: number[]): AddressClass | null {
  const v4At = (hi: number) => g[hi] * 65536 + g[hi + 1];
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8)) return 'unspecified';
  if (zeros(0, 7) && g[7] === 1) return 'loopback';
  // IPv4 inside IPv6: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d),
  // and 6to4 (2002:AABB:CCDD::): judged by the IPv4 address they reach.
  if (zeros(0, 5) && g[5] === 0xffff) return classifyV4(v4At(6));
  if (zeros(0, 6)) return classifyV4(v4At(6)) ?? 'reserved'; // IPv4-compatible, deprecated
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return classifyV4(v4At(6));
  if (g[0] === 0x2002) return classifyV4(v4At(1));
  if (g[0] === 0x100 && zeros(1, 4)) return 'reserved'; // 100::/64, discard only
  if ((g[0] & 0xfe00) === 0xfc00) return g[0] === 0xfd00 && g[1] === 0x0ec2 && zeros(2, 7) && g[7] === 0x254 ? 'cloud metadata' : 'unique-local';
  if ((g[0] & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0] & 0xffc0) === 0xfec0) return 'private'; // site-local, deprecated but still routed inside some networks
  if ((g[0] & 0xff00) === 0xff00) return 'multicast';
  if (g[0] === 0x2001 && g[1] === 0x0db8) return 'documentation';
  if (g[0] === 0x2001 && g[1] < 0x200) return 'reserved'; // 2001::/23, IETF protocol assignments (Teredo, ORCHID…)
  return null;
}

/** The class that makes an IP address off limits for webhooks, or null for a public address. */
export function refusedClass(address: string): AddressClass | null {
  const bare = address.replace(/^\[|\]$/g, '');
  const v = isIP(bare.replace(/%.*$/, ''));
  if (v === 4) return classifyV4(ip4(bare));
  if (v === 6) {
    const g = ipv6Groups(bare);
    return g ? classifyV6(g) : 'reserved';
  }
  return 'reserved';
}

/** Host names that always mean this machine or its cloud's metadata service, whatever DNS says. */
export function refusedName(hostname: string): AddressClass | null {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  // `localhost` itself resolves to loopback addresses, which the resolved-address check refuses;
  // its subdomains may not resolve at all here yet reach this machine elsewhere (RFC 6761).
  if (h.endsWith('.localhost')) return 'loopback';
  if (h === 'metadata' || h === 'metadata.google.internal' || h === 'instance-data' || h.endsWith('.metadata.google.internal')) return 'cloud metadata';
  return null;
}

export function describeRefusal(host: string, cls: AddressClass, address?: string) {
  const what = cls === 'cloud metadata' ? 'a cloud metadata address' : `a ${cls} address`;
  const at = address && address !== host ? `${host} resolves to ${address}, ${what}` : `${host} is ${what}`;
  return `${at}; webhooks are only sent to public addresses (set WEBHOOK_ALLOW_PRIVATE=true for local development)`;
}
