import { describe, expect, it } from "vitest";
import { parseDate } from "../../src/normalize/index.js";

// [input, expected ISO (UTC) or undefined, where the form was seen]
const CASES: Array<[string, string | undefined, string]> = [
  ["Thu, 23 Jan 2025 14:10:00 -0500", "2025-01-23T19:10:00.000Z", "RFC 822, config/sample/radiohc-en.rss (seed story)"],
  ["Wed, 31 Jan 2018 21:04:24 GMT", "2018-01-31T21:04:24.000Z", "RFC 822 GMT, corpus rss-parser guardian.rss"],
  ["Tue, 10 Jun 2003 04:00:00 PST", "2003-06-10T12:00:00.000Z", "named US zone, corpus feedsmith rss-20.xml"],
  ["Thu, 23 Jan 25 14:10:00 EST", "2025-01-23T19:10:00.000Z", "two-digit year (RFC 822 §5.1)"],
  ["Sat, 1 Jan 99 00:00:00 GMT", "1999-01-01T00:00:00.000Z", "two-digit year 50-99 is 19xx (RFC 2822 §4.3)"],
  ["23 Jan 2025 14:10 CET", "2025-01-23T13:10:00.000Z", "no weekday, no seconds, European zone"],
  ["Thu, 23 Jan 2025 14:10:00 CEST", "2025-01-23T12:10:00.000Z", "summer-time zone name"],
  ["Thu, 23 Jan 2025 14:10:00 +05:30", "2025-01-23T08:40:00.000Z", "offset with a colon"],
  ["Thu, 23 Jan 2025 14:10:00 GMT+1", "2025-01-23T13:10:00.000Z", "GMT+n"],
  ["Thu, 23 Jan 2025 14:10:00", "2025-01-23T14:10:00.000Z", "missing zone is UTC"],
  ["Thu, 23 Jan 2025", "2025-01-23T00:00:00.000Z", "date only"],
  ["Seg, 24 Set 2018 19:42:40 -0300", "2018-09-24T22:42:40.000Z", "Portuguese weekday and month, corpus rss-parser__uolNoticias.rss"],
  ["jueves, 23 de enero de 2025 10:00", "2025-01-23T10:00:00.000Z", "Spanish long form"],
  ["lunes, 27 de enero de 2025 08:30:00 -0500", "2025-01-27T13:30:00.000Z", "Spanish long form with offset"],
  ["5 ene 2025", "2025-01-05T00:00:00.000Z", "Spanish abbreviation (EFE style)"],
  ["Mié, 22 Ene 2025 09:15:00 +0100", "2025-01-22T08:15:00.000Z", "Spanish abbreviations with an accent"],
  ["January 23, 2025 10:00 AM EST", "2025-01-23T15:00:00.000Z", "month first, 12-hour clock"],
  ["January 23, 2025 1:05 PM", "2025-01-23T13:05:00.000Z", "month first, PM"],
  ["2025-01-23T10:00:00Z", "2025-01-23T10:00:00.000Z", "RFC 3339"],
  ["2025-01-23T10:00:00.123+01:00", "2025-01-23T09:00:00.000Z", "RFC 3339 fraction and offset"],
  ["2025-01-23T10:00:00-0500", "2025-01-23T15:00:00.000Z", "offset without a colon"],
  ["2025-01-23 10:00:00", "2025-01-23T10:00:00.000Z", "space for T, no zone"],
  ["2025-01-23T10:00:00", "2025-01-23T10:00:00.000Z", "no zone"],
  ["2025-01-23", "2025-01-23T00:00:00.000Z", "date only"],
  ["2020/1/10 14:33:00", "2020-01-10T14:33:00.000Z", "slashes, corpus rsparser__kc0011.rss"],
  ["  Thu,  23 Jan 2025\n 14:10:00 -0500 ", "2025-01-23T19:10:00.000Z", "stray whitespace"],
  ["1737641400", "2025-01-23T14:10:00.000Z", "Unix seconds"],
  ["", undefined, "empty"],
  ["garbage", undefined, "not a date"],
  ["2025-13-45", undefined, "month 13"],
  ["Thu, 45 Foo 2025 10:00:00 GMT", undefined, "unknown month"],
];

describe("parseDate", () => {
  it.each(CASES)("%j → %s (%s)", (input, expected) => {
    expect(parseDate(input)?.toISOString()).toBe(expected);
  });

  it("does not depend on the machine's time zone for zone-less dates", () => {
    // Same text parsed twice gives the same instant, and it is the UTC reading.
    expect(parseDate("2025-01-23 10:00:00")?.getTime()).toBe(Date.UTC(2025, 0, 23, 10, 0, 0));
  });
});
