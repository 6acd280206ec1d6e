import { PairHarness, readPairs } from './pair-harness';
(async () => {
  const pairs = readPairs(process.argv[2]);
  const h = new PairHarness(); await h.init();
  for (let i = 0; i < pairs.length; i++) await h.storeA(i, pairs[i]);
  for (let i = 0; i < pairs.length; i++) { const { a } = await h.lookupB(i, pairs[i], { threshold: Number(process.argv[3]) }); if (a.hit && !pairs[i].same) console.log(a.similarity?.toFixed(3), pairs[i].a, '|', pairs[i].b); }
  await h.close();
})();
