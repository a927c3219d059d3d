import { expect } from 'chai';

/** A row of a table test: what the `it` says, then each input with what the function gives for it. */
export type MappingCase<I, O> = [title: string, pairs: Array<[input: I, output: O]>];

/**
 * One `it` per case: the function gives each input's output, exactly (the failure names the input). For the tests
 * that are a list of values and what a function makes of them.
 */
export function itMaps<I, O>(fn: (input: I) => O, cases: ReadonlyArray<MappingCase<I, O>>): void {
  for (const [title, pairs] of cases) {
    it(title, () => {
      for (const [input, output] of pairs) expect(fn(input), JSON.stringify(input) ?? String(input)).to.equal(output);
    });
  }
}
