import type { Injection } from '../writer.js';

/** The kinds of damaged lines scenarios inject, each a copy of a real record that stays intact after it. */

export const CUT_SHORT: Injection = {
  make: (next) => next.slice(0, Math.max(8, Math.floor(next.length * 0.55))),
  why: 'partial write: a JSON object cut short (the complete record follows on the next line)',
};

export const TWO_ON_ONE_LINE: Injection = {
  make: (next) => next + next.slice(0, Math.floor(next.length * 0.3)),
  why: 'lost newline: a JSON object followed by the start of another on the same line',
};

export const TRUNCATED_TAIL: Injection = {
  make: (last) => last.slice(0, Math.max(8, Math.floor(last.length * 0.4))),
  why: 'file ends with a truncated record and no newline (collector killed mid-write)',
};
