import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { accuracyChart, lossChart } from './plot.ts';

test('loss chart: one path per series, NaN and zero losses left out, labels escaped', () => {
  const svg = lossChart('a <run>', [
    { label: 'train', color: '#000', points: [[0, 5], [1, NaN], [2, 2], [3, 0], [4, 1]] },
    { label: 'val', color: '#f00', points: [[0, 4], [4, 1.5]], dots: true },
  ], [{ label: 'lr', color: '#888', points: [[0, 1e-3], [4, 1e-4]], dashed: true }]);
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.ok(svg.includes('a &lt;run&gt;'));
  assert.is((svg.match(/<path /g) ?? []).length, 3);
  assert.is((svg.match(/<circle /g) ?? []).length, 2);
  assert.not.match(svg, /NaN|Infinity/);
  const train = /<path d="([^"]*)" fill="none" stroke="#000"/.exec(svg)![1];
  assert.is(train.split(/[ML]/).filter(Boolean).length, 3); // 5, 2 and 1: the NaN and the 0 are not drawn
});

test('accuracy chart: a bar pair per function, widths in proportion', () => {
  const svg = accuracyChart('eval', [{ label: 'set_temperature', n: 10, exact: 0.5, name: 1 }, { label: 'all', n: 10, exact: 0.5, name: 1 }]);
  const widths = [...svg.matchAll(/<rect x="\d+" y="[\d.]+" width="([\d.]+)" height/g)].map((m) => Number(m[1]));
  assert.equal(widths, [360, 180, 360, 180]);
  assert.ok(svg.includes('50.0%  n=10'));
});

test.run();
