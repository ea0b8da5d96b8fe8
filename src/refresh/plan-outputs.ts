import type { OutputSelector, Source, Taxonomy } from "../model/index.js";

export interface OutputPlan {
  selector: OutputSelector;
  /** Path under the feeds folder, without extension. */
  path: string;
  title: string;
  description: string;
  /** Group in the index page and OPML. */
  group: "All" | "Topics" | "Sources";
  /** Source homepage for per-source feeds. */
  homePage?: string;
}

export interface PlanOptions {
  siteTitle: string;
  perTopic: boolean;
  perSource: boolean;
}

/** Every output the service publishes: all, one per enabled topic, one per source. */
export function planOutputs(sources: Source[], taxonomy: Taxonomy, options: PlanOptions): OutputPlan[] {
  const plans: OutputPlan[] = [
    {
      selector: { kind: "all" },
      path: "all",
      title: options.siteTitle,
      description: "Every entry from every source, normalized and tagged with topics (IPTC Media Topics).",
      group: "All",
    },
  ];
  if (options.perTopic) {
    for (const t of taxonomy.topics) {
      if (!t.enabled) continue;
      plans.push({
        selector: { kind: "topic", topicId: t.id },
        path: `topics/${t.id}`,
        title: `${options.siteTitle}: ${t.label}`,
        description: `${t.label}: ${t.definition}`.trim(),
        group: "Topics",
      });
    }
  }
  if (options.perSource) {
    for (const s of sources) {
      plans.push({
        selector: { kind: "source", sourceId: s.id },
        path: `sources/${s.id}`,
        title: `${options.siteTitle}: ${s.title}`,
        description: `Entries from ${s.title}, normalized and tagged.`,
        group: "Sources",
        ...(s.url ? { homePage: new URL("/", s.url).href } : {}),
      });
    }
  }
  return plans;
}
