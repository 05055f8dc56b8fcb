// acme_contact never breaks a renewal: the rendered renewal script and the real acme-tiny 5.0.1 through
// the ACME proxy stand-in that drops contact from account objects, as Let's Encrypt does (e2e-contact.sh).
import { test } from 'node:test';
import { runCheck } from '../helpers/run-check.js';

test("acme_contact set: with acme-tiny 5.0.1 no --contact, issuance and renewal succeed; a --contact that dies with KeyError: 'contact' is run again without it, with a warning", () => {
  runCheck('bash', ['test/roles/e2e-contact.sh']);
});
