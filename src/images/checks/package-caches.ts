import type { ImageCheck } from "./types.js";

/** Package manager caches and indexes that a final image does not need. */
const CACHES: { name: string; re: RegExp }[] = [
  { name: "apt package lists", re: /^var\/lib\/apt\/lists\/(?!lock$|partial\/|auxfiles\/)[^/]+$/ },
  { name: "apt downloaded packages", re: /^var\/cache\/apt\/archives\/[^/]+\.deb$/ },
  { name: "apk cache", re: /^(var\/cache\/apk|etc\/apk\/cache)\/[^/]+$/ },
  { name: "yum/dnf cache", re: /^var\/cache\/(yum|dnf)\/.+/ },
  { name: "pip cache", re: /^(root|home\/[^/]+)\/\.cache\/pip\/.+/ },
  { name: "npm cache", re: /^(root|home\/[^/]+)\/\.npm\/_cacache\/.+/ },
  { name: "yarn cache", re: /^(usr\/local\/share\/\.cache\/yarn|(root|home\/[^/]+)\/\.cache\/yarn)\/.+/ },
];

const MIN_BYTES = 64 * 1024;

export const packageCaches: ImageCheck = {
  id: "KW-IMG-009",
  title: "Package manager cache left in the image",
  severity: "low",
  layer: "image",
  description: "Package indexes or downloaded packages stay in the image: bigger images and stale metadata.",
  remediation:
    "Clean in the same RUN step: apt-get ... && rm -rf /var/lib/apt/lists/*, apk add --no-cache, pip --no-cache-dir, npm cache clean --force.",
  references: ["https://docs.docker.com/build/building/best-practices/#apt-get"],
  frameworks: {},
  run(f) {
    const totals = new Map<string, { bytes: number; files: number }>();
    for (const [path, e] of f.fs.entries) {
      if (e.kind !== "file") continue;
      const hit = CACHES.find((c) => c.re.test(path));
      if (!hit) continue;
      const t = totals.get(hit.name) ?? { bytes: 0, files: 0 };
      t.bytes += e.size;
      t.files++;
      totals.set(hit.name, t);
    }
    return [...totals]
      .filter(([, t]) => t.bytes >= MIN_BYTES)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, t]) => ({
        message: `${name}: ${t.files} files, ${t.bytes} bytes`,
        details: { cache: name, ...t },
      }));
  },
};
