// Independent verifier of Open Badges 3.0 credentials, built only on maintained third-party
// libraries (Digital Bazaar's VC stack for Data Integrity and status lists, panva's jose for
// VC-JWT). It imports nothing from the platform. Protocol (one request, one answer):
//   stdin:  {"documents": {url_or_did: json, ...},
//            "items": [{"kind": "di", "credential": {...}} | {"kind": "jwt", "jwt": "eyJ..."}, ...]}
//   stdout: {"results": [{"verified": bool, "revoked": bool|null, "errors": [str, ...]}, ...]}
// `verified` is the proof (signature, key authorised by the issuer's DID document), the
// credential's shape and validity period, and the status list credential's own proof;
// `revoked` is the revocation bit (null when the credential has no status entry or the status
// could not be read). See README.md beside this file.
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as jose from 'jose';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {errorMessages, makeDocumentLoader, serve} from './loader.mjs';

// Same leeway as @digitalbazaar/vc's date checks (seconds).
const MAX_CLOCK_SKEW = 300;

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});

/** Name the two validity-period failures the way a person reads them. */
function describe(message) {
  if(/after "validUntil"|has expired|"exp" claim/.test(message)) {
    return `expired: ${message}`;
  }
  if(/before "validFrom"|"nbf" claim/.test(message)) {
    return `not yet valid: ${message}`;
  }
  return message;
}

/** Checks that hold for every item of one request, with the work that can be shared cached. */
class Verifier {
  constructor(documents) {
    this.documentLoader = makeDocumentLoader(documents);
    this.statusLists = new Map(); // status list URL -> Promise<null | error>
    this.keys = new Map(); // key id -> Promise<CryptoKey>
  }

  /** The status list credential at `url` verified once per request (null when it verifies). */
  statusListProblem(url) {
    if(!this.statusLists.has(url)) {
      this.statusLists.set(url, (async () => {
        const {document} = await this.documentLoader(url);
        const result = await vc.verifyCredential({
          credential: document, suite, documentLoader: this.documentLoader,
          checkStatus: async () => ({verified: true}),
        });
        return result.verified ? null : new Error(
          `status list credential "${url}" not verified: ` +
          errorMessages(result.error).join('; '));
      })().catch(error => error));
    }
    return this.statusLists.get(url);
  }

  /** {verified, revoked, error}: the library's Bitstring Status List check of `credential`. */
  async status(credential) {
    const entries = [credential.credentialStatus].flat().filter(Boolean);
    for(const entry of entries) {
      if(typeof entry.statusListCredential === 'string') {
        const problem = await this.statusListProblem(entry.statusListCredential);
        if(problem) {
          return {verified: false, revoked: null, error: problem};
        }
      }
    }
    const result = await checkStatus({
      credential, suite, documentLoader: this.documentLoader,
      // verified above, once per list rather than once per credential
      verifyBitstringStatusListCredential: false,
      verifyMatchingIssuers: true,
    });
    if(!result.verified) {
      return {verified: false, revoked: null, error: result.error};
    }
    const revocations = result.results.filter(
      ({credentialStatus}) => credentialStatus.statusPurpose === 'revocation');
    const revoked = revocations.length ? revocations.some(({status}) => status) : null;
    return {verified: true, revoked, error: null};
  }

  /** An embedded `eddsa-rdfc-2022` Data Integrity proof, through @digitalbazaar/vc. */
  async verifyDataIntegrity(credential) {
    if(!credential || typeof credential !== 'object') {
      return {verified: false, revoked: null, errors: ['"credential" must be an object']};
    }
    let statusPromise = null;
    const statusOnce = () => (statusPromise ??= this.status(credential));
    const result = await vc.verifyCredential({
      credential, suite, documentLoader: this.documentLoader,
      maxClockSkew: MAX_CLOCK_SKEW,
      checkStatus: async () => statusOnce(),
    });
    const errors = [
      ...errorMessages(result.error),
      ...(result.results || []).flatMap(entry => [
        ...errorMessages(entry.error), ...errorMessages(entry.purposeResult?.error),
      ]),
    ];
    // The library skips the status when the proof fails; read it anyway, to report it.
    const status = credential.credentialStatus ?
      await statusOnce() : {verified: true, revoked: null, error: null};
    errors.push(...errorMessages(status.error));
    return finish(result.verified && status.verified, status.revoked, errors);
  }

  /** The public key of the Multikey verification method `kid`, as a WebCrypto key for jose. */
  key(method) {
    const cacheKey = `${method.id} ${method.publicKeyMultibase}`;
    if(!this.keys.has(cacheKey)) {
      this.keys.set(cacheKey, (async () => {
        const keyPair = await Ed25519Multikey.from(method);
        const jwk = await Ed25519Multikey.toJwk({keyPair});
        return jose.importJWK(jwk, 'EdDSA');
      })());
    }
    return this.keys.get(cacheKey);
  }

  /** The DID, its verification method `kid`, checked to be an assertion method of that DID. */
  async assertionKey(kid) {
    if(typeof kid !== 'string' || !kid.includes('#')) {
      throw new Error(`header "kid" must be a DID URL with a fragment, got ${JSON.stringify(kid)}`);
    }
    const did = kid.slice(0, kid.indexOf('#'));
    const {document: didDocument} = await this.documentLoader(did);
    const {document: method} = await this.documentLoader(kid);
    if(method.controller !== did) {
      throw new Error(`verification method "${kid}" is not controlled by "${did}"`);
    }
    const authorised = (didDocument.assertionMethod || []).some(
      entry => entry === kid || entry?.id === kid);
    if(!authorised) {
      throw new Error(`verification method "${kid}" is not an assertionMethod of "${did}"`);
    }
    return {did, key: await this.key(method)};
  }

  /** A VC-JWT (VC-JOSE-COSE: the payload is the credential), through jose. */
  async verifyJwt(jwt) {
    const errors = [];
    let header;
    try {
      header = jose.decodeProtectedHeader(jwt);
    } catch(error) {
      return finish(false, null, [`not a JWS compact serialisation: ${error.message}`]);
    }
    if(header.alg !== 'EdDSA') {
      return finish(false, null, [`header "alg" must be "EdDSA", got ${JSON.stringify(header.alg)}`]);
    }
    let did;
    let payload;
    try {
      let key;
      ({did, key} = await this.assertionKey(header.kid));
      ({payload} = await jose.jwtVerify(jwt, key, {
        algorithms: ['EdDSA'], clockTolerance: MAX_CLOCK_SKEW,
      }));
    } catch(error) {
      // jose checks `exp` and `nbf` after the signature: the payload it attaches is authentic.
      if(!error.payload) {
        return finish(false, null, errorMessages(error));
      }
      payload = error.payload;
      errors.push(...errorMessages(error));
    }
    errors.push(...credentialProblems(payload, did));
    const status = payload.credentialStatus ?
      await this.status(payload) : {verified: true, revoked: null, error: null};
    errors.push(...errorMessages(status.error));
    return finish(errors.length === 0, status.revoked, errors);
  }

  async verify(item) {
    try {
      if(item?.kind === 'di') {
        return await this.verifyDataIntegrity(item.credential);
      }
      if(item?.kind === 'jwt') {
        return await this.verifyJwt(item.jwt);
      }
      return finish(false, null, [`unknown item kind ${JSON.stringify(item?.kind)}`]);
    } catch(error) {
      return finish(false, null, errorMessages(error));
    }
  }
}

/** What is wrong with a JWT payload as a credential issued by `did` (empty when nothing is). */
function credentialProblems(payload, did) {
  const problems = [];
  try {
    // @digitalbazaar/vc's own shape and validity-period checks, as for a Data Integrity credential
    vc._checkCredential({credential: payload, maxClockSkew: MAX_CLOCK_SKEW});
  } catch(error) {
    problems.push(...errorMessages(error));
  }
  const issuer = typeof payload.issuer === 'object' ? payload.issuer?.id : payload.issuer;
  if(issuer !== did) {
    problems.push(`credential issuer "${issuer}" does not match the signing key's DID "${did}"`);
  }
  // VC-JOSE-COSE: registered claims may repeat credential properties but must not contradict them.
  const subjects = [payload.credentialSubject].flat();
  const claims = [['iss', issuer], ['jti', payload.id], ['sub', subjects[0]?.id]];
  for(const [claim, expected] of claims) {
    if(claim in payload && payload[claim] !== expected) {
      problems.push(`claim "${claim}" (${payload[claim]}) contradicts the credential (${expected})`);
    }
  }
  return problems;
}

function finish(verified, revoked, errors) {
  const unique = [...new Set(errors.map(describe))];
  return {verified: verified && unique.length === 0, revoked, errors: unique};
}

serve(async request => {
  if(!request || typeof request !== 'object' || !Array.isArray(request.items)) {
    throw new TypeError('the request must be {"documents": {...}, "items": [...]}');
  }
  const verifier = new Verifier(request.documents || {});
  const results = [];
  for(const item of request.items) {
    results.push(await verifier.verify(item));
  }
  return {results};
});
