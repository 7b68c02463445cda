// Test-only issuer built on the same Digital Bazaar libraries as verify.mjs, so the tests can
// check the verifier on credentials that the reference implementation itself signed. Never used
// by the platform. Protocol:
//   stdin:  {"documents": {...}, "items": [
//             {"kind": "sign-di", "seed": hex32, "verificationMethod": "did:...#key",
//              "credential": {...}, "created"?: "2025-01-01T00:00:00Z"},
//             {"kind": "status-list", "seed": hex32, "verificationMethod": "did:...#key",
//              "id": url, "issuer": did, "length"?: int, "revoked": [int, ...],
//              "validFrom"?: str, "created"?: str}, ...]}
//   stdout: {"results": [{"credential": {...signed...}, "publicKeyMultibase": "z6Mk..."}, ...]}
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {createCredential, createList} from '@digitalbazaar/vc-bitstring-status-list';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {makeDocumentLoader, serve} from './loader.mjs';

// The Bitstring Status List spec's minimum list size (16 KB uncompressed), for herd privacy.
const MINIMUM_LENGTH = 131072;

async function keyPairFor({seed, verificationMethod}) {
  const controller = verificationMethod.slice(0, verificationMethod.indexOf('#'));
  return Ed25519Multikey.generate({
    id: verificationMethod, controller, seed: Buffer.from(seed, 'hex'),
  });
}

async function signDataIntegrity({item, credential, documentLoader}) {
  const keyPair = await keyPairFor(item);
  const suite = new DataIntegrityProof({
    signer: keyPair.signer(), cryptosuite: eddsaRdfc2022, date: item.created,
  });
  const signed = await vc.issue({credential, suite, documentLoader});
  return {credential: signed, publicKeyMultibase: keyPair.publicKeyMultibase};
}

async function statusListCredential(item) {
  const list = await createList({length: item.length || MINIMUM_LENGTH});
  for(const index of item.revoked || []) {
    list.setStatus(index, true);
  }
  const credential = await createCredential({id: item.id, list, statusPurpose: 'revocation'});
  credential.issuer = item.issuer;
  if(item.validFrom) {
    credential.validFrom = item.validFrom;
  }
  return credential;
}

serve(async ({documents = {}, items}) => {
  const documentLoader = makeDocumentLoader(documents);
  const results = [];
  for(const item of items) {
    if(item.kind === 'sign-di') {
      results.push(await signDataIntegrity({item, credential: item.credential, documentLoader}));
    } else if(item.kind === 'status-list') {
      const credential = await statusListCredential(item);
      results.push(await signDataIntegrity({item, credential, documentLoader}));
    } else {
      throw new Error(`unknown item kind ${JSON.stringify(item.kind)}`);
    }
  }
  return {results};
});
