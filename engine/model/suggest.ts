/** Levenshtein distance, bounded: returns `max + 1` as soon as the distance exceeds `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The candidates closest to `word`, best first, at most `limit`; used for "did you mean".
 * @example nearest('fetch-usr', ['fetch-user', 'charge']) // ['fetch-user']
 */
export function nearest(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const max = Math.max(2, Math.floor(word.length / 3));
  const scored: Array<[string, number]> = [];
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase(), max);
    if (d <= max || c.toLowerCase().startsWith(word.toLowerCase())) scored.push([c, d]);
  }
  return scored.sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0])).slice(0, limit).map(([c]) => c);
}

/** " Did you mean 'x'?" or the empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const best = nearest(word, candidates, 1);
  return best.length ? ` Did you mean '${best[0]}'?` : '';
}
