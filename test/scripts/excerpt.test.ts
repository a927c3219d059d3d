import { expect } from 'chai';
import { excerpt } from '../../scripts/support/excerpt.js';

/** A table as sf draws it: borders, a header and `rows` rows. */
const table = (rows: number): string[] => [
  '┌───────┬────────┐',
  '│ Scope │ Status │',
  '├───────┼────────┤',
  ...Array.from({ length: rows }, (_, i) => `│ token │ row ${i + 1} │`),
  '└───────┴────────┘',
];

// `npm run demo` cuts long outputs; what it shows must say once, not twice, that rows are missing.
describe('scripts/support/excerpt.ts: what the demo shows of a long output', () => {
  it('folds the command\'s own "… and N more" into its one note: the rows it hid plus those the command did', () => {
    const output = [...table(50), '… and 230 more (use --json for every target).', 'Dry run: would revoke 280 refresh tokens of Billing_Connector.'];
    const shown = excerpt(output, (text) => `<${text}>`);
    expect(shown.filter((line) => line.includes('more'))).to.deep.equal(['<  ⋮ 268 more rows not shown (use --json for every target)>']);
    expect(shown).to.have.length(13 + 1 + 4);
    expect(shown.slice(0, 13)).to.deep.equal(output.slice(0, 13));
    expect(shown.slice(-4)).to.deep.equal(['│ token │ row 49 │', '│ token │ row 50 │', '└───────┴────────┘', output.at(-1)]);
  });

  it('cuts a long table with its own note when the command cut nothing', () => {
    const output = [...table(30), '30 refresh tokens.'];
    const shown = excerpt(output);
    expect(shown[13]).to.equal('  ⋮ 18 more rows not shown');
    expect(shown).to.have.length(18);
  });

  it('shows a short output whole, the command\'s note included', () => {
    const output = [...table(10), '… and 2 more (use --json for every target).', 'Dry run.'];
    expect(excerpt(output)).to.deep.equal(output);
  });

  it('counts lines, not rows, when what it hides is not only rows, and leaves the command\'s line as it was', () => {
    const output = [...table(8), 'Summary line', ...table(8), '… and 5 more (use --json for every target).', 'Done.'];
    const shown = excerpt(output);
    expect(shown[13]).to.match(/^ {2}⋮ \d+ more lines not shown$/);
    expect(shown.filter((line) => line.startsWith('… and'))).to.have.length(1);
  });
});
