/**
 * The git commit a resolved URL pins, for dependencies installed from a repository:
 * codeload/GitLab archive URLs, "#<sha>" fragments on git URLs, and yarn berry's "#commit=<sha>".
 * Registry tarballs ("...tgz#<sha1 of the file>") are not commits.
 */
export function commitOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let m = /codeload\.github\.com\/[^/]+\/[^/]+\/tar\.gz\/([0-9a-f]{7,40})$/i.exec(url);
  if (m) return m[1]!.toLowerCase();
  m = /\/repository\/archive\.tar\.gz\?ref=([0-9a-f]{7,40})$/i.exec(url);
  if (m) return m[1]!.toLowerCase();
  m = /#commit[=:]([0-9a-f]{7,40})$/i.exec(url);
  if (m) return m[1]!.toLowerCase();
  m = /^(.*)#([0-9a-f]{7,40})$/i.exec(url);
  if (m && !/\.(tgz|tar\.gz)$/i.test(m[1]!)) return m[2]!.toLowerCase();
  return undefined;
}
