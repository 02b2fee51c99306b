/**
 * Supabase's published Realtime figures, quoted exactly, printed beside ours for context.
 * They are for a 2–6 node Realtime cluster on AWS with k6 load generators on other machines;
 * ours are one Node process sharing 2 cores with its own clients: not like for like.
 */
export const SUPABASE_PUBLISHED = {
  source: 'https://supabase.com/docs/guides/realtime/benchmarks',
  /** Source file of that page: supabase/supabase apps/docs/content/guides/realtime/benchmarks.mdx. */
  methodology:
    '"The benchmarks were conducted using k6, an open-source load testing tool, against a Realtime Cluster deployed on AWS. ' +
    'The cluster configurations used 2-6 nodes, tested in both single-region and multi-region setups, all connected to a single Supabase project."',
  broadcast: {
    section: 'Realtime Broadcast Performance',
    workload:
      'each virtual user: "Joins two distinct channels: An echo channel (1 user per channel) for direct message reflection; ' +
      'A broadcast channel (6 users per channel) for group communication"; "Generates traffic by sending 2 messages per second to each joined channel for 10 minutes"',
    quote: '"Concurrent Users | 32_000", "Message Throughput | 224_000 msgs/sec", "Median Latency | 6 ms", "Latency (p95) | 28 ms", "Latency (p99) | 213 ms"',
    msgsPerSecond: 224_000,
    p50: 6,
    p95: 28,
    p99: 213,
  },
  postgresChanges: {
    section: "Realtime's Postgres Changes (the page's throughput estimator, data in supabase/supabase apps/docs/data/realtime/throughput.json)",
    quote:
      'Compute "Micro", RLS ✅, "Connected clients" 500: "Total DB changes /sec" 30, "Max messages per client /sec" 6, ' +
      '"Max total messages /sec" 3,000, "Latency p95" 228ms',
    note: '"Database changes are processed on a single thread to maintain the change order."',
    totalMessagesPerSecond: 3000,
    p95: 228,
  },
  presence: 'The page names presence ("what can be expected from Realtime\'s Postgres Changes, broadcast and presence performance") but publishes no presence figure.',
  memory: 'The page lists "CPU and memory utilization" among "The metrics collected" but publishes no CPU or memory figure.',
} as const;
