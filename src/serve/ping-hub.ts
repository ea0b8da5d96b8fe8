import type { Logger } from "../shared/logger.js";

export interface HubPingOptions {
  hub: string;
  userAgent: string;
  timeoutMs: number;
  logger: Logger;
}

/**
 * Tells a WebSub hub that feeds changed (W3C WebSub §7: the publish ping is
 * hub-defined; the de-facto form is a form POST hub.mode=publish&hub.url=…,
 * one per topic URL). A hub that is down never fails the refresh: it is
 * logged and the readers' next poll still finds the new entries.
 */
export async function pingHub(feedUrls: string[], options: HubPingOptions): Promise<{ ok: number; failed: number }> {
  let ok = 0;
  let failed = 0;
  for (const url of feedUrls) {
    try {
      const response = await fetch(options.hub, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": options.userAgent },
        body: new URLSearchParams({ "hub.mode": "publish", "hub.url": url }).toString(),
        signal: AbortSignal.timeout(options.timeoutMs),
        redirect: "error",
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) {
        ok++;
      } else {
        failed++;
        options.logger.warn(
          { hub: options.hub, url, status: response.status },
          `serve: WebSub hub ${options.hub} answered ${response.status} for ${url}; check outputs.hub`,
        );
      }
    } catch (error) {
      failed++;
      options.logger.warn({ hub: options.hub, url, err: error }, `serve: WebSub hub ${options.hub} could not be reached for ${url}; check outputs.hub`);
    }
  }
  return { ok, failed };
}
