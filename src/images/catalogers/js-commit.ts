/** The git commit a JS lockfile resolved a dependency to, if it came from a repository. */
export function commitOf(resolved: string | undefined): string | undefined {
  if (!resolved) return undefined;
  // Registry tarballs carry a sha1 checksum after '#': not a commit.
  if (/\.tgz(#|$)/.test(resolved) && !/codeload|\/tar\.gz\//.test(resolved)) return undefined;
  const patterns = [
    /\/tar\.gz\/([0-9a-f]{40})\b/,
    /[?&]ref=([0-9a-f]{40})\b/,
    /#(?:commit[=:])?([0-9a-f]{40})$/,
  ];
  for (const re of patterns) {
    const m = re.exec(resolved);
    if (m) return m[1];
  }
  return undefined;
}
