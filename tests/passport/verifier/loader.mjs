// The one document loader of the independent verifier: JSON-LD contexts bundled in the
// Digital Bazaar npm packages, plus the documents the caller hands over (DID documents,
// status list credentials, the Open Badges context). Nothing is ever fetched: any other URL
// throws, so a credential that needs the network fails verification instead of reaching out.
import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import {contexts as statusListContexts} from '@digitalbazaar/vc-bitstring-status-list-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import didContext from 'did-context';
import multikeyContext from '@digitalbazaar/multikey-context';

export const MULTIKEY_CONTEXT_URL = multikeyContext.CONTEXT_URL;

// Bundled contexts win over anything the caller sends under the same URL: the caller (our
// platform) must not be able to change what the standard contexts mean.
const BUNDLED = new Map([
  ...credentialsContexts,
  ...statusListContexts,
  ...dataIntegrityContext.contexts,
  ...didContext.contexts,
  ...multikeyContext.contexts,
]);

/** Split `did:web:host:path#key-1` into the DID and the whole URL. */
function splitFragment(url) {
  const hash = url.indexOf('#');
  return hash === -1 ? [url, null] : [url.slice(0, hash), url.slice(hash + 1)];
}

/** The verification method `id` of a DID document, with the context the key libraries expect. */
export function findVerificationMethod(didDocument, id) {
  const candidates = [
    ...(didDocument.verificationMethod || []),
    // a method may also be embedded directly under a relationship
    ...(didDocument.assertionMethod || []).filter(entry => typeof entry === 'object'),
  ];
  const method = candidates.find(entry => entry && entry.id === id);
  if(!method) {
    throw new Error(`verification method "${id}" is not in the DID document of "${didDocument.id}"`);
  }
  // As did:key / did:web resolvers of the Digital Bazaar stack do: a Multikey is returned
  // under the Multikey context, anything else under its DID document's context.
  const context = method.type === 'Multikey' ? MULTIKEY_CONTEXT_URL : didDocument['@context'];
  return {'@context': context, ...method};
}

/** A jsonld.js document loader over the bundled contexts and `documents` (URL or DID → JSON). */
export function makeDocumentLoader(documents = {}) {
  return async function documentLoader(url) {
    const bundled = BUNDLED.get(url);
    if(bundled !== undefined) {
      return {contextUrl: null, documentUrl: url, document: bundled};
    }
    const [base, fragment] = splitFragment(url);
    if(url.startsWith('did:')) {
      const didDocument = documents[base];
      if(!didDocument) {
        throw new Error(`DID "${base}" is not among the given documents (no network access)`);
      }
      const document = fragment === null ? didDocument : findVerificationMethod(didDocument, url);
      return {contextUrl: null, documentUrl: url, document};
    }
    const document = documents[url] ?? documents[base];
    if(document === undefined) {
      throw new Error(`document "${url}" is not among the given documents (no network access)`);
    }
    return {contextUrl: null, documentUrl: url, document};
  };
}

/** Read all of standard input as one JSON value. */
export async function readJsonFromStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** Run `main` on the JSON request; print its JSON answer, or exit 2 with the reason on stderr. */
export async function serve(main) {
  try {
    const request = await readJsonFromStdin();
    const answer = await main(request);
    process.stdout.write(JSON.stringify(answer) + '\n');
  } catch(error) {
    process.stderr.write(`${error.stack || error}\n`);
    process.exitCode = 2;
  }
}

/** One error's message with what jsonld.js puts in `details` (the term, the safe-mode event). */
function describeError(error) {
  const details = error.details || {};
  let message = String(error.message || error);
  if(details.term) {
    message += ` (term "${details.term}")`;
  }
  if(details.event) {
    message += ` ${details.event.message} ${JSON.stringify(details.event.details || {})}`;
  }
  return message;
}

/** Every message in an error, its `errors` (jsonld-signatures) and its causes, outermost first. */
export function errorMessages(error, seen = new Set()) {
  if(!error || seen.has(error)) {
    return [];
  }
  seen.add(error);
  const messages = [describeError(error)];
  for(const inner of error.errors || []) {
    messages.push(...errorMessages(inner, seen));
  }
  messages.push(...errorMessages(error.cause, seen));
  messages.push(...errorMessages(error.details?.cause, seen));
  return messages;
}
