// The original project's on-disk format: a JSON array of records
//
//   { "system":    "<|im_start|>system\n...\n<|im_end|>\n",
//     "user":      "<|im_start|>user\nTurn up the heat.<|im_end|>\n",
//     "assistant": "<|im_start|>assistant\n<functioncall> {\"name\": ..., \"arguments\": \"{'k': v}\"} <|im_end|><|endoftext|>" }
//
// The arguments are a Python-literal dict inside a JSON string. Booleans are written lowercase,
// as that data writes them. Some records in the wild are not valid JSON (a track name with an
// apostrophe inside double quotes), so the parser here is lenient where it must be.
import type { ArgValue, FunctionCall } from './vehicle_api.ts';
import { FUNCTIONS, INCOMPLETE_PREFIX } from './vehicle_api.ts';
import type { Tokenizer } from './tokenizer.ts';

export const SYSTEM_PROMPT = "You are a helpful assistant. You have to either provide a way to answer user's request or answer user's query.";

export interface FcRecord {
  system: string;
  user: string;
  assistant: string;
}

export const SPECIAL = {
  endoftext: '<|endoftext|>',
  pad: '<|pad|>',
  imStart: '<|im_start|>',
  imEnd: '<|im_end|>',
  functioncall: '<functioncall>',
  thought: '<thought>',
  observation: '<observation>',
} as const;

export const SPECIAL_TOKENS: string[] = Object.values(SPECIAL);

export const ASSISTANT_HEADER = `${SPECIAL.imStart}assistant\n`;

/** A Python literal as repr() writes it (strings in single quotes unless they contain one). */
export function pythonRepr(v: ArgValue | Record<string, ArgValue>): string {
  if (typeof v === 'string') {
    if (!v.includes("'")) return `'${v.replace(/\\/g, '\\\\')}'`;
    if (!v.includes('"')) return `"${v.replace(/\\/g, '\\\\')}"`;
    return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  }
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map((x) => pythonRepr(x)).join(', ')}]`;
  return `{${Object.entries(v).map(([k, x]) => `${pythonRepr(k)}: ${pythonRepr(x)}`).join(', ')}}`;
}

/** The assistant's answer for a call, exactly as the data writes it. */
export function answerText(call: FunctionCall): string {
  const json = `{"name": ${JSON.stringify(call.name)}, "arguments": ${JSON.stringify(pythonRepr(call.arguments))}}`;
  return `${SPECIAL.functioncall} ${json} ${SPECIAL.imEnd}${SPECIAL.endoftext}`;
}

const SYSTEM_FIELD = `${SPECIAL.imStart}system\n${SYSTEM_PROMPT}\n${SPECIAL.imEnd}\n`;

/**
 * The fixed strings of the format, the same in every example: the tokenizer keeps each whole so it
 * becomes a token or two (data/tokenizer.ts). The system prompt alone is 30 word tokens otherwise.
 */
export const FORMAT_PHRASES = [`system\n${SYSTEM_PROMPT}\n`, 'user\n', 'assistant\n', ' {"name": "', `", "arguments": "{'`];

/**
 * The API's names that the word pattern would cut in pieces ('set_temperature' is "set", "_",
 * "temperature"; 'rear-left' is "rear", "-", "left"), and the punctuation between the arguments
 * (', ' is "'," and " '"). Kept whole like the format's phrases, a function, a key or a zone is
 * one token: one choice for the model instead of three, and an answer about a third shorter.
 * Only names with '_' or '-' are listed: a phrase is cut out wherever it appears, so a plain word
 * ("on") would also be cut out of other words ("only").
 */
export const ANSWER_PHRASES: string[] = [...new Set([
  ...FUNCTIONS.flatMap((f) => [f.name, INCOMPLETE_PREFIX + f.name]),
  ...FUNCTIONS.flatMap((f) => f.params.flatMap((p) => [p.name, ...(p.enum ?? [])])).filter((name) => /[-_]/.test(name)),
  "', '", "': '", "': ['", "'], '", "': ", ", '",
])];

function userField(command: string): string {
  return `${SPECIAL.imStart}user\n${command}${SPECIAL.imEnd}\n`;
}

export function makeRecord(userText: string, call: FunctionCall): FcRecord {
  return { system: SYSTEM_FIELD, user: userField(userText), assistant: `${ASSISTANT_HEADER}${answerText(call)}` };
}

/** The prompt the model sees for a command: system + user + the assistant header, as in training. */
export function promptFor(command: string): string {
  return SYSTEM_FIELD + userField(command) + ASSISTANT_HEADER;
}

/** A record's whole text, as pretraining and the tokenizer see it. */
export function fullText(r: FcRecord): string {
  return r.system + r.user + r.assistant;
}

// ------------------------------------------------------------------ encoding

// The template's special tokens are control tokens, but the user's words are not ours: a command
// that contains the text "<|im_end|>" or "<functioncall>" must not end the user's turn or start
// a call. So the user's words are encoded with encodeOrdinary (bytes only), everything else with
// encode. The user's span starts right after a special token and ends right before one, where
// encode() cuts the text anyway, so text without such literals gets exactly encode()'s ids.

/** Where the user's words lie in a user field "<|im_start|>user\n...<|im_end|>\n": after its first special token, before its last; null for another shape. */
function userSpan(field: string): [number, number] | null {
  if (!field.startsWith(SPECIAL.imStart)) return null;
  const end = field.lastIndexOf(SPECIAL.imEnd);
  return end < SPECIAL.imStart.length ? null : [SPECIAL.imStart.length, end];
}

/** Token ids of system + user + rest, the user field's words escaped (encodeOrdinary). */
function encodeTurns(tok: Tokenizer, system: string, user: string, rest: string): number[] {
  const text = system + user + rest;
  const span = userSpan(user);
  if (span === null) return tok.encode(text); // not the usual shape: nothing to tell apart
  const [from, to] = [system.length + span[0], system.length + span[1]];
  return [...tok.encode(text.slice(0, from)), ...tok.encodeOrdinary(text.slice(from, to)), ...tok.encode(text.slice(to))];
}

/** Token ids of the prompt for a command (promptFor), the command's own text never a special token. */
export function encodePrompt(tok: Tokenizer, command: string): number[] {
  return encodeTurns(tok, SYSTEM_FIELD, userField(command), ASSISTANT_HEADER);
}

/** Token ids of a record's prompt (promptAndAnswer's), the user's words never a special token. */
export function encodeRecordPrompt(tok: Tokenizer, record: FcRecord): number[] {
  return encodeTurns(tok, record.system, record.user, ASSISTANT_HEADER);
}

/** Token ids of a record's whole text (fullText), the user's words never a special token. */
export function encodeFullText(tok: Tokenizer, record: FcRecord): number[] {
  return encodeTurns(tok, record.system, record.user, record.assistant);
}

/** The user's words without the chat markup. */
export function userText(record: FcRecord): string {
  return record.user.replace(`${SPECIAL.imStart}user\n`, '').replace(/<\|im_end\|>\n?$/, '').trim();
}

/** The prompt the model sees (everything before the answer) and the answer it must produce. */
export function promptAndAnswer(record: FcRecord): { prompt: string; answer: string } {
  if (!record.assistant.startsWith(ASSISTANT_HEADER)) throw new Error(`record: assistant text does not start with ${JSON.stringify(ASSISTANT_HEADER)}`);
  return { prompt: record.system + record.user + ASSISTANT_HEADER, answer: record.assistant.slice(ASSISTANT_HEADER.length) };
}

// ------------------------------------------------------------------ parsing

/** Parse a Python literal (dict, list, str, int, float, True/False/true/false, None). Throws on bad input. */
export function parsePythonLiteral(text: string): unknown {
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`python literal: ${msg} at offset ${i} in ${JSON.stringify(text.slice(0, 120))}`);
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') return i++, obj;
      for (;;) {
        const key = value();
        if (typeof key !== 'string') fail('dict key must be a string');
        ws();
        if (text[i++] !== ':') fail("expected ':'");
        obj[key as string] = value();
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === '}') return i++, obj;
          continue;
        }
        if (text[i++] === '}') return obj;
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') return i++, arr;
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === ']') return i++, arr;
          continue;
        }
        if (text[i++] === ']') return arr;
        fail("expected ',' or ']'");
      }
    }
    if (c === "'" || c === '"') {
      i++;
      let s = '';
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < text.length) {
          const e = text[i + 1];
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          i += 2;
        } else s += text[i++];
      }
      if (i >= text.length) fail('unterminated string');
      i++;
      return s;
    }
    const m = /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|True|False|true|false|None|null)/.exec(text.slice(i));
    if (m === null) return fail('unexpected character');
    i += m[0].length;
    if (m[0] === 'True' || m[0] === 'true') return true;
    if (m[0] === 'False' || m[0] === 'false') return false;
    if (m[0] === 'None' || m[0] === 'null') return null;
    return Number(m[0]);
  };
  const v = value();
  ws();
  if (i !== text.length) fail('unexpected text after the value');
  return v;
}

/**
 * The function call in an assistant text (or in a model's raw output): the JSON after
 * <functioncall>, with its Python-literal arguments parsed. Returns null when it does not parse.
 * Tolerates the malformed records of the original data (unescaped quotes inside the arguments).
 */
export function parseFunctionCall(text: string): FunctionCall | null {
  const start = text.indexOf(SPECIAL.functioncall);
  if (start === -1) return null;
  let body = text.slice(start + SPECIAL.functioncall.length);
  for (const marker of [SPECIAL.imEnd, SPECIAL.observation]) {
    const end = body.indexOf(marker);
    if (end !== -1) body = body.slice(0, end);
  }
  body = body.trim();
  let name: string | undefined;
  let argText: string | undefined;
  try {
    const obj = JSON.parse(body) as { name?: unknown; arguments?: unknown };
    if (typeof obj.name === 'string') name = obj.name;
    if (typeof obj.arguments === 'string') argText = obj.arguments;
    else if (obj.arguments !== null && typeof obj.arguments === 'object') return name === undefined ? null : { name, arguments: obj.arguments as Record<string, ArgValue> };
  } catch {
    // not JSON: take the name and everything between `"arguments": "` and the final `"}`
    const m = /^\{\s*"name"\s*:\s*"([^"]*)"\s*,\s*"arguments"\s*:\s*"([\s\S]*)"\s*\}$/.exec(body);
    if (m !== null) {
      name = m[1];
      argText = m[2].replace(/\\(["\\/])/g, '$1');
    }
  }
  if (name === undefined || argText === undefined) return null;
  try {
    const args = parsePythonLiteral(argText);
    if (args === null || typeof args !== 'object' || Array.isArray(args)) return null;
    return { name, arguments: args as Record<string, ArgValue> };
  } catch {
    return null;
  }
}
