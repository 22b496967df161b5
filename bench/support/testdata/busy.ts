// A CPU-bound program for the profile summariser's test: `spin` is the hot function.
interface Totals {
  sum: number;
}

export function spin(rounds: number): Totals {
  const totals: Totals = { sum: 0 };
  for (let i = 0; i < rounds; i++) totals.sum = (totals.sum + Math.sqrt(i) * 31) % 1_000_003;
  return totals;
}

console.log(spin(60_000_000).sum > 0 ? 'done' : 'zero');
