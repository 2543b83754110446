/**
 * Ruby's DateTime.iso8601, as src/ci/ruby-date.ts ports it. Each verdict below is Ruby 3.1's
 * (`DateTime.iso8601(text)` raising ArgumentError or not), except where a text has no year: Ruby
 * completes it from the day it runs, and the port takes what some year would take.
 */
import { describe, expect, it } from 'vitest';
import { rubyIso8601DateTime } from '../../src/ci/ruby-date.js';

describe("rubyIso8601DateTime: Ruby's DateTime.iso8601", () => {
  it.each([
    ['2021-03-15T08:00:00.123Z', true],
    ['2021-03-15', true],
    ['20210315T080000+0100', true],
    ['2021-02-29', false],
    ['2020-02-29', true],
    ['2021-03-15 08:00:00', false],
    ['yesterday', false],
  ])('a calendar date: %s → %s', (text, taken) => {
    expect(rubyIso8601DateTime(text)).toBe(taken);
  });

  it.each([
    ['2021-366', false],
    ['2020-366', true],
    ['1700-366', false],
    ['1500-366', true],
    ['1582-355', true],
    ['1582-356', false],
  ])('an ordinal date is bounded by its year (Julian before 1582, 1582 short by ten days): %s → %s', (text, taken) => {
    expect(rubyIso8601DateTime(text)).toBe(taken);
  });

  it.each([
    ['2021-W53-1', false],
    ['2020-W53-1', true],
    ['2026-W53-4', true],
    ['21W531', false],
    ['20W531', true],
    ['2026-W52-7', true],
  ])('a week date is bounded by the ISO weeks of its year: %s → %s', (text, taken) => {
    expect(rubyIso8601DateTime(text)).toBe(taken);
  });

  it.each([
    ['--0230', false],
    ['--0231', false],
    ['--1131', false],
    ['--1130', true],
    // Ruby takes these only in a leap year: some year takes them.
    ['--0229', true],
    ['-366', true],
  ])('a month and day, or a day of the year, without a year: what no year takes is refused: %s → %s', (text, taken) => {
    expect(rubyIso8601DateTime(text)).toBe(taken);
  });
});
