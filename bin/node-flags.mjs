// The V8 settings a long-running Winkel process (serve, worker) runs with. Without a limit, V8 on a
// machine with plenty of memory lets the heap grow far before it collects, and a server that needs
// ~60 MB of live objects sits at 300-450 MB. With an old-space ceiling V8 sizes and collects the heap
// for it (a server then peaks near 200 MB under load), and a small young generation keeps each
// scavenge cheap. WINKEL_MAX_HEAP_MB raises the ceiling for very large catalogs.
export function serveNodeFlags(env = process.env) {
  const mb = Number(env.WINKEL_MAX_HEAP_MB ?? 512);
  return [`--max-old-space-size=${Number.isInteger(mb) && mb >= 128 ? mb : 512}`, '--max-semi-space-size=4'];
}

/** Whether this Node already runs with a heap ceiling (given on the command line or in NODE_OPTIONS). */
export function hasHeapCeiling(execArgv = process.execArgv, env = process.env) {
  return [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => a.startsWith('--max-old-space-size'));
}
