/**
 * Spotting misspelt names, for "did you mean …?" in messages: an optimiser option key, a command-line
 * flag.
 */

/**
 * Whether `key` looks like a misspelling of `option`: equal ignoring case, or at Levenshtein distance
 * 1 (2 for names of 6 letters or more).
 */
export function isTypoOf(key: string, option: string): boolean {
  const a = key.toLowerCase(), b = option.toLowerCase();
  const limit = b.length >= 6 ? 2 : 1;
  if (Math.abs(a.length - b.length) > limit) return false;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]! <= limit;
}
