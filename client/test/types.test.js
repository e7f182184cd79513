// The hand-written declarations (types/) name everything the scripts export, and the package exports what they
// need: a new function in the SDK without its type fails here (tsc checks the consumers in test/types/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import '../herald-outbox.js';

const read = (f) => readFile(new URL(`../${f}`, import.meta.url), 'utf8');

test('herald-outbox.d.ts declares every member of HeraldOutbox', async () => {
  const dts = await read('types/herald-outbox.d.ts');
  const api = dts.slice(dts.indexOf('export interface HeraldOutboxApi'));
  for (const name of Object.keys(globalThis.HeraldOutbox)) {
    assert.match(api, new RegExp(`\\b${name}[(<:?]`), `HeraldOutboxApi declares ${name}`);
  }
});

test('herald.d.ts declares every public method and member of Herald', async () => {
  const dts = await read('types/herald.d.ts');
  const js = await read('herald.js');
  const klass = js.slice(js.indexOf('export class Herald '));
  const methods = [...klass.matchAll(/^ {2}(?:static )?(?:async )?([a-zA-Z]+)\(/gm)].map((m) => m[1]).filter((n) => n !== 'constructor');
  const members = [...klass.matchAll(/^ {4}this\.([a-zA-Z]+) = /gm)].map((m) => m[1]);
  assert.ok(methods.length >= 10 && members.length === 3, `${methods} ${members}`);
  const declared = dts.slice(dts.indexOf('export declare class Herald '));
  for (const name of methods) assert.match(declared, new RegExp(`\\b${name}[(<]`), `Herald.${name} is declared`);
  for (const name of members) assert.match(declared, new RegExp(`readonly ${name}: `), `Herald.${name} is declared`);
  for (const name of ['send', 'list', 'replay', 'get', 'set', 'pull', 'all']) assert.match(declared, new RegExp(`\\b${name}[(<]`));
});

test('package.json exports the page module, the worker scripts and their types, and ships them', async () => {
  const pkg = JSON.parse(await read('package.json'));
  assert.equal(pkg.exports['.'].default, './herald.js');
  assert.equal(pkg.exports['.'].types, './types/herald.d.ts');
  assert.equal(pkg.exports['./worker'].default, './herald-worker.js');
  assert.equal(pkg.exports['./herald-sw.js'].default, './herald-sw.js');
  for (const target of Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))) {
    const file = target.replace(/^\.\//, '');
    assert.ok(file === 'package.json' || pkg.files.some((f) => file === f || file.startsWith(f)), `${file} is in files`);
    await read(file); // exists
  }
  assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
  assert.ok(pkg.license);
  assert.equal(pkg.private, undefined, 'publishable');
});
