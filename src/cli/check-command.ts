import { loadConfig } from "../config/index.js";
import { lintTaxonomy } from "../enrich/index.js";
import { FeedEnricherError } from "../shared/errors.js";

/**
 * `check`: lints the config and the topic taxonomy, printing every problem.
 * Exit code 1 when there is an error, 0 otherwise (warnings included).
 */
export function checkCommand(configPath: string, out: NodeJS.WritableStream): number {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(configPath);
  } catch (error) {
    if (error instanceof FeedEnricherError) {
      out.write(`error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  out.write(`config ${configPath}: ok (${config.sources.length} source(s))\n`);
  const { taxonomy, problems } = lintTaxonomy(config.taxonomyFile, { scheme: `${config.publicBaseUrl}topics/` });
  for (const p of problems) out.write(`${p.level}: ${config.taxonomyFile}: ${p.message}\n`);
  const errors = problems.filter((p) => p.level === "error").length;
  const warnings = problems.length - errors;
  if (taxonomy) {
    const enabled = taxonomy.topics.filter((t) => t.enabled);
    const terms = enabled.reduce((n, t) => n + t.terms.length, 0);
    out.write(`taxonomy ${config.taxonomyFile}: ${enabled.length} topic(s), ${terms} term(s), version ${taxonomy.version}\n`);
  }
  out.write(`${errors} error(s), ${warnings} warning(s)\n`);
  return errors > 0 ? 1 : 0;
}
