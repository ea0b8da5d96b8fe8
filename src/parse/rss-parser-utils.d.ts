// rss-parser's helper module, which its parser calls for every item (it has no types of its own).
declare module "rss-parser/lib/utils.js" {
  const utils: { getSnippet?: (html: string) => string };
  export default utils;
}
