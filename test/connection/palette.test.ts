import { expect } from '@esm-bundle/chai';
import { colorFor, PALETTE } from '../../src/connection/palette.js';

/** WCAG relative luminance and contrast, to hold the palette to its promise. */
function luminance(hex: string): number {
  const channel = (i: number): number => {
    const v = parseInt(hex.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}
const contrast = (a: string, b: string): number => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
};

describe('user colours', () => {
  for (const color of PALETTE) {
    it(`${color} carries white text (AA) and shows on light and dark pages`, () => {
      expect(contrast(color, '#ffffff')).to.be.at.least(4.5);
      expect(contrast(color, '#121212')).to.be.at.least(3);
    });
  }

  it('gives one id the same colour every time and spreads many ids over the palette', () => {
    const id = '7f1c9a52-2f57-4d4e-9b0e-0d6a3f4c2b11';
    expect(colorFor(id)).to.equal(colorFor(id));
    const used = new Set(Array.from({ length: 400 }, () => colorFor(crypto.randomUUID())));
    expect(used.size).to.equal(PALETTE.length);
  });
});
