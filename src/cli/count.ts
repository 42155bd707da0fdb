/** Counted nouns in the commands' messages: "1 fold", "2 folds" (every noun they count takes an s). */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
