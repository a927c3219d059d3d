/**
 * The first `count` items as a stable sort by `compare` would order them, found in one pass that keeps only those:
 * what a top-ten list needs of a large collection, without copying the collection to sort it.
 */
export function firstSorted<T>(items: Iterable<T>, count: number, compare: (a: T, b: T) => number): T[] {
  const first: T[] = [];
  if (count <= 0) return first;
  for (const item of items) {
    if (first.length === count && compare(item, first[count - 1]) >= 0) continue;
    // After every one it does not come before: between equals, the one met first stays first, as a stable sort keeps it.
    let at = first.length;
    while (at > 0 && compare(item, first[at - 1]) < 0) at--;
    first.splice(at, 0, item);
    if (first.length > count) first.pop();
  }
  return first;
}
