// The client's .d.ts files: `tsc --noEmit` compiles usage.ts against them,
// and, where tsc cannot look, they are held to the JavaScript they describe:
// the same exported values, and for each class and option object the same
// members (methods as methods). Parameters are usage.ts's business: a JS
// function's length says nothing of which are optional (play({ … } = {})
// needs its trackUrl; pause(positionSec) does without).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

register('./resolve_peers.mjs', import.meta.url);  // react.js imports react

const CLIENT = new URL('../../client/', import.meta.url);
const inClient = (file) => fileURLToPath(new URL(file, CLIENT));
// The typed modules: a .d.ts beside the .js (the others are internal).
const MODULES = readdirSync(CLIENT).filter((f) => f.endsWith('.d.ts')).map((f) => f.slice(0, -'.d.ts'.length));
const DIFF = '(+ in the JS only, - in the .d.ts only)';
// The platform's prototypes the classes derive from: what they inherit is not theirs to declare.
const BUILTINS = [EventTarget.prototype, Error.prototype, Object.prototype];

test('tsc --noEmit: usage.ts compiles against the declarations, and they check', () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '--noEmit', '-p', fileURLToPath(new URL('.', import.meta.url))],
    { encoding: 'utf8' });
  assert.equal(run.status, 0, `tsc found errors:\n${run.stdout}${run.stderr}`);
});

const program = ts.createProgram(MODULES.map((m) => inClient(`${m}.d.ts`)), {
  strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], types: [],
  module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
  paths: { react: [fileURLToPath(new URL('node_modules/@types/react/index.d.ts', import.meta.url))] },
});
const checker = program.getTypeChecker();

// The values a .d.ts exports (re-exports resolved), by name.
function declaredValues(module) {
  const file = program.getSourceFile(inClient(`${module}.d.ts`));
  const values = new Map();
  for (let symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(file))) {
    if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    if (symbol.flags & ts.SymbolFlags.Value) values.set(symbol.name, symbol);
  }
  return values;
}

// 'method' or 'property' by member name, sorted: as a .d.ts declares a class's instances...
function declaredMembers(symbol, inherited) {
  const members = [];
  for (const p of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol))) {
    const platform = p.declarations.every((d) => program.isSourceFileDefaultLibrary(d.getSourceFile()));
    if (platform || inherited.has(p.name)) continue;
    const method = p.declarations.some((d) => ts.isMethodDeclaration(d) || ts.isMethodSignature(d));
    members.push([p.name, method ? 'method' : 'property']);
  }
  return Object.fromEntries(members.sort(([a], [b]) => (a < b ? -1 : 1)));
}

// ...and as an instance has them, up to the platform's prototype.
function actualMembers(object, inherited) {
  const members = new Map();
  for (let o = object; !BUILTINS.includes(o); o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name === 'constructor' || inherited.has(name) || members.has(name)) continue;
      const { value, get } = Object.getOwnPropertyDescriptor(o, name);
      members.set(name, !get && typeof value === 'function' ? 'method' : 'property');
    }
  }
  return Object.fromEntries([...members].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function inheritedNames(object) {
  const base = BUILTINS.find((b) => b.isPrototypeOf(object));
  const names = new Set(Object.getOwnPropertyNames(new base.constructor()));  // an Error's own stack
  for (let o = base; o; o = Object.getPrototypeOf(o)) Object.getOwnPropertyNames(o).forEach((n) => names.add(n));
  return names;
}

// One instance of each exported class, made the way an app gets it; close() when done.
async function instances() {
  const { SessionClock, RequestError, TimeEstimator, ClockJumpDetector } = await import(new URL('session-clock.js', CLIENT));
  class Silent { close() {} }  // a WebSocket that never opens
  const clock = new SessionClock('ws://127.0.0.1:9/ws', { WebSocket: Silent });
  return {
    SessionClock: clock, SessionTimer: clock.clock('a-session'), Room: clock.room('ABCD'),
    RequestError: new RequestError('code', 'message'), TimeEstimator: new TimeEstimator(),
    ClockJumpDetector: new ClockJumpDetector(), close: () => clock.close(),
  };
}

for (const module of MODULES) {
  test(`${module}.js: its exports and their members are the ones ${module}.d.ts declares`, async () => {
    const api = await import(new URL(`${module}.js`, CLIENT));
    const declared = declaredValues(module);
    assert.deepEqual(Object.keys(api).sort(), [...declared.keys()].sort(), `exported values ${DIFF}`);
    const made = await instances();
    try {
      for (const [name, symbol] of declared) {
        if (symbol.flags & ts.SymbolFlags.Class) {
          assert.ok(made[name], `${name}: no instance to compare (add one to instances())`);
          const inherited = inheritedNames(made[name]);
          assert.deepEqual(actualMembers(made[name], inherited), declaredMembers(symbol, inherited),
            `${name}'s members ${DIFF}`);
        } else if (symbol.flags & ts.SymbolFlags.Function) {
          assert.equal(typeof api[name], 'function', name);
        } else {
          const keys = checker.getPropertiesOfType(checker.getTypeOfSymbol(symbol)).map((p) => p.name);
          assert.deepEqual(Object.keys(api[name]).sort(), keys.sort(), `${name}'s keys ${DIFF}`);
        }
      }
    } finally {
      made.close();
    }
  });
}
