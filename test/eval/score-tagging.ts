import { readFileSync } from "node:fs";

/** One labelled item of a tagging evaluation file (dev.jsonl format). */
export interface LabeledItem {
  file: string;
  guid: string;
  lang: string;
  title: string;
  text: string;
  core: string[];
  mentioned: string[];
}

export function loadLabeled(file: string): LabeledItem[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as LabeledItem);
}

export interface TopicScore {
  topic: string;
  coreSupport: number;
  predicted: number;
  correct: number;
  coreHits: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export interface Miss {
  item: LabeledItem;
  predicted: string[];
  missed: string[];
  wrong: string[];
}

export interface TaggingScore {
  items: number;
  precision: number;
  recall: number;
  f1: number;
  perTopic: TopicScore[];
  /** Empty-core items that received a tag outside `mentioned`. */
  emptyCoreTagged: number;
  emptyCoreItems: number;
  /** Items with a missed core tag or a wrong tag, worst first. */
  misses: Miss[];
}

function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

function f1Of(p: number | null, r: number | null): number | null {
  if (p === null || r === null) return null;
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

/**
 * The scoring rule of the labelled set: a predicted tag is correct when it is
 * in core or mentioned; recall counts core tags only. Micro over all items,
 * and per topic.
 */
export function scoreTagging(items: LabeledItem[], predict: (item: LabeledItem) => string[], topicIds: string[]): TaggingScore {
  let predictedTotal = 0;
  let correctTotal = 0;
  let coreTotal = 0;
  let coreHitTotal = 0;
  let emptyCoreTagged = 0;
  let emptyCoreItems = 0;
  const per = new Map<string, { coreSupport: number; predicted: number; correct: number; coreHits: number }>();
  const topicRow = (t: string) => {
    let row = per.get(t);
    if (!row) per.set(t, (row = { coreSupport: 0, predicted: 0, correct: 0, coreHits: 0 }));
    return row;
  };
  for (const t of topicIds) topicRow(t);
  const misses: Miss[] = [];
  for (const item of items) {
    const predicted = [...new Set(predict(item))];
    const core = new Set(item.core);
    const all = new Set([...item.core, ...item.mentioned]);
    predictedTotal += predicted.length;
    coreTotal += core.size;
    for (const t of core) topicRow(t).coreSupport++;
    const wrong: string[] = [];
    for (const t of predicted) {
      const row = topicRow(t);
      row.predicted++;
      if (all.has(t)) {
        correctTotal++;
        row.correct++;
      } else {
        wrong.push(t);
      }
      if (core.has(t)) {
        coreHitTotal++;
        row.coreHits++;
      }
    }
    const missed = item.core.filter((t) => !predicted.includes(t));
    if (core.size === 0) {
      emptyCoreItems++;
      if (wrong.length > 0) emptyCoreTagged++;
    }
    if (missed.length > 0 || wrong.length > 0) misses.push({ item, predicted, missed, wrong });
  }
  const precision = ratio(correctTotal, predictedTotal) ?? 0;
  const recall = ratio(coreHitTotal, coreTotal) ?? 0;
  const perTopic = [...per.entries()].map(([topic, r]) => {
    const p = ratio(r.correct, r.predicted);
    const rc = ratio(r.coreHits, r.coreSupport);
    return { topic, ...r, precision: p, recall: rc, f1: f1Of(p, rc) };
  });
  misses.sort((a, b) => b.missed.length + b.wrong.length - (a.missed.length + a.wrong.length));
  return { items: items.length, precision, recall, f1: f1Of(precision, recall) ?? 0, perTopic, emptyCoreTagged, emptyCoreItems, misses };
}

const fmt = (x: number | null) => (x === null ? " n/a" : x.toFixed(2));

export function formatScore(score: TaggingScore, worst = 15): string {
  const lines: string[] = [];
  lines.push(`items: ${score.items}`);
  lines.push(`micro precision ${score.precision.toFixed(3)}  recall ${score.recall.toFixed(3)}  F1 ${score.f1.toFixed(3)}`);
  lines.push(`empty-core items that got a tag outside mentioned: ${score.emptyCoreTagged} of ${score.emptyCoreItems}`);
  lines.push("");
  lines.push(`${"topic".padEnd(18)} ${"core".padStart(5)} ${"pred".padStart(5)}  prec  rec   F1`);
  for (const t of score.perTopic) {
    const mark = t.coreSupport < 5 ? " (< 5 core examples)" : "";
    lines.push(
      `${t.topic.padEnd(18)} ${String(t.coreSupport).padStart(5)} ${String(t.predicted).padStart(5)}  ${fmt(t.precision)}  ${fmt(t.recall)}  ${fmt(t.f1)}${mark}`,
    );
  }
  if (worst > 0 && score.misses.length > 0) {
    lines.push("");
    lines.push(`worst misses (${Math.min(worst, score.misses.length)} of ${score.misses.length}):`);
    for (const m of score.misses.slice(0, worst)) {
      lines.push(`- [${m.item.lang}] ${m.item.title.slice(0, 90)}  (${m.item.guid.slice(0, 60)})`);
      lines.push(
        `    core ${m.item.core.join(",") || "-"}; predicted ${m.predicted.join(",") || "-"}; missed ${m.missed.join(",") || "-"}; wrong ${m.wrong.join(",") || "-"}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
