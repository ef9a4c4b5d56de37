/** Runs once before the suite: tests rely on a pinned non-UTC zone to catch local-time leaks. */
export default function setup(): void {
  if (!process.env.TZ || process.env.TZ === 'UTC') {
    process.env.TZ = 'Pacific/Chatham';
  }
}
