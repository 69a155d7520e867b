/** The inputs of the core benchmarks, generated identically for both variants. */
import { prng } from '../harness.js';

export const WORDS = 1_000_000;
export const VOCABULARY = 10_000;
export const WORDS_PER_LINE = 10;
export const EVENTS = 1_000_000;
export const KEYS = 10_000;

const vocabulary = Array.from({ length: VOCABULARY }, (_, i) => `word${i}`);

/** 100,000 lines of 10 words drawn from a 10,000-word vocabulary. */
export function* textLines(): Generator<string> {
  const random = prng(42);
  for (let i = 0; i < WORDS / WORDS_PER_LINE; i++) {
    let line = vocabulary[Math.floor(random() * VOCABULARY)]!;
    for (let j = 1; j < WORDS_PER_LINE; j++) line += ' ' + vocabulary[Math.floor(random() * VOCABULARY)];
    yield line;
  }
}

export interface Event {
  readonly user: string;
  readonly amount: number;
}

const users = Array.from({ length: KEYS }, (_, i) => `user${i}`);

/** 1,000,000 events over 10,000 keys. */
export function* events(): Generator<Event> {
  const random = prng(7);
  for (let i = 0; i < EVENTS; i++) yield { user: users[Math.floor(random() * KEYS)]!, amount: Math.floor(random() * 100) };
}
