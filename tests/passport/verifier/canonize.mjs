// The reference RDF Dataset Canonicalization (RDFC-1.0, formerly URDNA2015) of JSON-LD documents,
// exactly as the eddsa-rdfc-2022 cryptosuite computes it before hashing (same function, same
// options: safe mode, i18n-datatype directions, no base). Lets the tests compare pyld's output.
//   stdin:  {"documents": {...}, "items": [{...json-ld...}, ...]}
//   stdout: {"results": ["<canonical N-Quads>", ...]}
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {makeDocumentLoader, serve} from './loader.mjs';

serve(async ({documents = {}, items}) => {
  const documentLoader = makeDocumentLoader(documents);
  const results = [];
  for(const item of items) {
    results.push(await eddsaRdfc2022.canonize(item, {documentLoader, base: null, safe: true}));
  }
  return {results};
});
