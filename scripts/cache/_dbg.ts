import { PairHarness, readPairs } from './pair-harness';
(async () => {
  const pairs = readPairs(process.argv[2]);
  const h = new PairHarness(); await h.init();
  for (let i = 0; i < pairs.length; i++) await h.storeA(i, pairs[i]);
  for (let i = 0; i < pairs.length; i++) { const { a } = await h.lookupB(i, pairs[i], { threshold: 0 }); if (!a.hit || (a.similarity ?? 0) < 0.94) console.log(a.hit, a.similarity?.toFixed(3), JSON.stringify(a.rejected_by), pairs[i].a, '|', pairs[i].b); }
  await h.close();
})();
