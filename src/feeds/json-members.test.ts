import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collect, isAppError, textChunks } from './fixtures/harness.js';
import { type JsonMember, readJsonMembers } from './json-members.js';

async function* chunksOf(parts: readonly string[]): AsyncGenerator<string> {
  for (const p of parts) yield p;
}

async function members(parts: readonly string[]): Promise<JsonMember[]> {
  return (await collect(readJsonMembers(chunksOf(parts)))).flat();
}

/** Members as JSON.parse of the whole document sees them (keys must not look like array indices). */
function reference(text: string): JsonMember[] {
  const doc: unknown = JSON.parse(text);
  if (Array.isArray(doc)) return doc.map((value, key) => ({ key, value }));
  return Object.entries(doc as Record<string, unknown>).map(([key, value]) => ({ key, value }));
}

/** Every way to cut `text` into two chunks (including an empty one at either end). */
function twoWaySplits(text: string): string[][] {
  const out: string[][] = [];
  for (let k = 0; k <= text.length; k++) out.push([text.slice(0, k), text.slice(k)]);
  return out;
}

const TRICKY_OBJECT = `{
  "plain" : "text",\t"brackets":"{}[],:",
  "quote\\"key": "a \\"quoted\\" {word}",
  "backslash": "ends with \\\\",
  "backslash quote": "\\\\\\"",
  "escapes": "\\u0041\\u00e9\\ud83d\\ude00\\n\\t\\/\\b\\f\\r",
  "raw": "é😀 ✓",
  "\\u006bey": {"nested": [1, [2, {"deep": "]}"}], {}], "empty": {}, "list": []},
  "numbers": [0, -0, 12, -3.5, 1e3, 2.5E-3, -7.25e+2],
  "t":true,"f" :false , "n":null,
  "num": 42,
  "neg": -1.5e-7,
  "str": "",
  "arr": [ "[", "]", "{", "}", ",", ":", "\\"", "\\\\" ]
}
`;

const TRICKY_ARRAY = `[ "a,b", {"x": "}"}, [[["]"]]], 1.5, -2, true,false,null, "\\\\", "\\"]", {} ,[],
  "\\u005b\\u007d" ]`;

describe('readJsonMembers', () => {
  it('reads the members of an object root: string keys, parsed values, document order', async () => {
    const text = '{"b": 1, "a": [true, null], "3": {"k": "v"}, "1": "x", "": -2.5, "k\\u00e9\\"y": "z"}';
    assert.deepEqual(await members([text]), [
      { key: 'b', value: 1 },
      { key: 'a', value: [true, null] },
      { key: '3', value: { k: 'v' } },
      { key: '1', value: 'x' },
      { key: '', value: -2.5 },
      { key: 'ké"y', value: 'z' },
    ]);
  });

  it('reads the members of an array root with their index as a number', async () => {
    assert.deepEqual(await members(['[{"a": 1}, "s", 7, [], null]']), [
      { key: 0, value: { a: 1 } },
      { key: 1, value: 's' },
      { key: 2, value: 7 },
      { key: 3, value: [] },
      { key: 4, value: null },
    ]);
  });

  it('reads empty roots and accepts whitespace around the document', async () => {
    for (const text of ['{}', '[]', '{ }', '[\n]', ' \r\n\t{}', '[] \n\t\r\n']) {
      assert.deepEqual(await members([text]), [], JSON.stringify(text));
      assert.deepEqual(await members([...text]), [], JSON.stringify(text));
    }
    assert.deepEqual(await members(['[1]', '  ', '\n', '']), [{ key: 0, value: 1 }]);
  });

  it('agrees with JSON.parse wherever the chunks are cut', async () => {
    for (const text of [TRICKY_OBJECT, TRICKY_ARRAY]) {
      const want = reference(text);
      assert.ok(want.length > 10);
      for (const parts of twoWaySplits(text)) {
        assert.deepEqual(await members(parts), want, JSON.stringify(parts));
      }
      for (let size = 1; size <= 13; size++) {
        assert.deepEqual(await collect(readJsonMembers(textChunks(text, size))).then((b) => b.flat()), want);
      }
    }
  });

  it('agrees with JSON.parse for every three-chunk cut of a short document', async () => {
    const text = '{"a\\\\":["\\"}",{"b":[1,2]}],"c":"\\\\\\"","d":tru\u0065,"e":-0.5e1}';
    const want = reference(text);
    for (let j = 0; j <= text.length; j++) {
      for (let k = j; k <= text.length; k++) {
        const parts = [text.slice(0, j), text.slice(j, k), text.slice(k)];
        assert.deepEqual(await members(parts), want, JSON.stringify(parts));
      }
    }
  });

  it('yields one batch per chunk that completed a member', async () => {
    const batches = await collect(
      readJsonMembers(chunksOf(['{"a": 1, "b"', ': [2', ', 3]', ', "c": "x"}  ', '\n'])),
    );
    assert.deepEqual(batches, [
      [{ key: 'a', value: 1 }],
      [{ key: 'b', value: [2, 3] }],
      [{ key: 'c', value: 'x' }],
    ]);
    const arr = await collect(readJsonMembers(chunksOf(['[1,', '2', ',3]'])));
    assert.deepEqual(arr, [
      [{ key: 0, value: 1 }],
      [
        { key: 1, value: 2 },
        { key: 2, value: 3 },
      ],
    ]);
  });

  it('streams: a member is yielded before the later chunks are read', async () => {
    let pulled = 0;
    async function* body(): AsyncGenerator<string> {
      yield '[{"first": 1},';
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield `{"n": ${i}},`;
      }
      yield '0]';
    }
    const it = readJsonMembers(body());
    const first = await it.next();
    assert.deepEqual(first.value, [{ key: 0, value: { first: 1 } }]);
    assert.equal(pulled, 0);
    await it.return(undefined);
  });

  it('throws FEED_TRUNCATED for every strict prefix of a document', async () => {
    const text = '{"a": [1, {"b": "x\\"}y\\\\"}], "c": true, "d": -12.5, "e": "\\u00e9"}';
    assert.equal((await members([text])).length, 4);
    for (let k = 0; k < text.length; k++) {
      const prefix = text.slice(0, k);
      await assert.rejects(members([prefix]), isAppError('FEED_TRUNCATED', /^the JSON body /), prefix);
      await assert.rejects(
        collect(readJsonMembers(textChunks(prefix, 3))),
        isAppError('FEED_TRUNCATED'),
        prefix,
      );
    }
    await assert.rejects(members([]), isAppError('FEED_TRUNCATED'));
    await assert.rejects(members(['  \n']), isAppError('FEED_TRUNCATED'));
  });

  it('throws FEED_FORMAT for data after the end of the document', async () => {
    for (const parts of [['{"1": []} {"2": []}'], ['[1]', ' x'], ['[]]'], ['{},'], ['[1] ', '\n', '0']]) {
      await assert.rejects(
        members(parts),
        isAppError('FEED_FORMAT', /^the JSON body .*after the end of the document/),
        JSON.stringify(parts),
      );
    }
  });

  it('throws FEED_FORMAT for structural errors, wherever the chunks are cut', async () => {
    const bad = [
      '{"a": 1 "b": 2}', // missing comma
      '[1 2]',
      '[{} {}]',
      '["a" "b"]',
      '[[1] [2]]',
      '{"a" 1}', // missing colon
      '{"a" "b"}',
      '{"a"}',
      '{"a":: 1}',
      '{"a": 1,}', // trailing comma
      '[1,]',
      '[1,,2]',
      '[,1]',
      '{,}',
      '{"a": 1]', // mismatched closer
      '[1}',
      '[{"a": 1]]',
      '[[1}]',
      '{"a": }', // missing value
      '[:]',
      '{a: 1}', // key not a string
      '{1: 2}',
      'x', // root not an array or object
      '<html>',
      '[tru]', // bad literals and numbers
      '[nul]',
      '{"a": True}',
      '[01]',
      '[1.]',
      '[-]',
      '["a\tb"]', // bad strings
      '["\\x"]',
      '{"\\q": 1}',
      '{"a": 1}x',
    ];
    for (const text of bad) assert.throws(() => JSON.parse(text), text);
    // Valid JSON, but without members.
    const scalarRoots = ['"text"', '42', 'null', ' true'];
    for (const text of [...bad, ...scalarRoots]) {
      for (const parts of twoWaySplits(text)) {
        await assert.rejects(
          members(parts),
          isAppError('FEED_FORMAT', /^the JSON body is invalid/),
          JSON.stringify(parts),
        );
      }
    }
  });

  it('says what is wrong with the structure', async () => {
    const cases: [string, RegExp][] = [
      ['{"a": 1 "b": 2}', /expected "," or "}" after a member, found "\\""/],
      ['[1 2]', /expected "," or "]" after a member, found "2"/],
      ['{"a": 1]', /expected "," or "}" after a member, found "]"/],
      ['{"a" 1}', /expected ":" after the key "a", found "1"/],
      ['{"a": 1,}', /a trailing comma before "}"/],
      ['[1,]', /a trailing comma before "]"/],
      ['[1,,2]', /expected a value, found ","/],
      ['{1: 2}', /expected a key string, found "1"/],
      ['42', /the root is not an array or object: found "4"/],
    ];
    for (const [text, pattern] of cases) {
      await assert.rejects(members([text]), isAppError('FEED_FORMAT', pattern), text);
    }
  });

  it("reports JSON.parse's message for a bad member", async () => {
    await assert.rejects(members(['{"a": 1, "b": [tru]}']), (err: unknown) => {
      isAppError('FEED_FORMAT', /^the JSON body is invalid \(the member "b": /)(err);
      assert.ok(err instanceof Error && err.cause instanceof SyntaxError);
      assert.ok(err.message.includes((err.cause as SyntaxError).message));
      return true;
    });
  });

  it('yields the members before an error and then throws', async () => {
    const it = readJsonMembers(chunksOf(['[1, 2', ', 3] 4']));
    assert.deepEqual((await it.next()).value, [{ key: 0, value: 1 }]);
    await assert.rejects(it.next(), isAppError('FEED_FORMAT', /after the end of the document/));
  });
});
