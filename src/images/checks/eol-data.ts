// End of (security) support per distribution release, from the vendors' published schedules.
// Debian: end of LTS; Ubuntu: end of standard support; Alpine: end of the release branch;
// RHEL and rebuilds: end of maintenance support. Data only: update as vendors publish.

export interface EolEntry {
  /** os-release ID. */
  family: string;
  /** Release as matched against VERSION_ID: "12", "22.04", "3.20". */
  release: string;
  /** Last day of support (UTC). */
  eol: string;
}

export const EOL_TABLE: readonly EolEntry[] = [
  { family: "debian", release: "8", eol: "2020-06-30" },
  { family: "debian", release: "9", eol: "2022-06-30" },
  { family: "debian", release: "10", eol: "2024-06-30" },
  { family: "debian", release: "11", eol: "2026-08-31" },
  { family: "debian", release: "12", eol: "2028-06-30" },
  { family: "debian", release: "13", eol: "2030-06-30" },
  { family: "ubuntu", release: "14.04", eol: "2019-04-30" },
  { family: "ubuntu", release: "16.04", eol: "2021-04-30" },
  { family: "ubuntu", release: "18.04", eol: "2023-05-31" },
  { family: "ubuntu", release: "20.04", eol: "2025-05-31" },
  { family: "ubuntu", release: "22.04", eol: "2027-06-01" },
  { family: "ubuntu", release: "23.10", eol: "2024-07-11" },
  { family: "ubuntu", release: "24.04", eol: "2029-05-31" },
  { family: "ubuntu", release: "24.10", eol: "2025-07-10" },
  { family: "alpine", release: "3.14", eol: "2023-05-01" },
  { family: "alpine", release: "3.15", eol: "2023-11-01" },
  { family: "alpine", release: "3.16", eol: "2024-05-23" },
  { family: "alpine", release: "3.17", eol: "2024-11-22" },
  { family: "alpine", release: "3.18", eol: "2025-05-09" },
  { family: "alpine", release: "3.19", eol: "2025-11-01" },
  { family: "alpine", release: "3.20", eol: "2026-04-01" },
  { family: "alpine", release: "3.21", eol: "2026-11-01" },
  { family: "alpine", release: "3.22", eol: "2027-05-01" },
  { family: "rhel", release: "7", eol: "2024-06-30" },
  { family: "rhel", release: "8", eol: "2029-05-31" },
  { family: "rhel", release: "9", eol: "2032-05-31" },
  { family: "centos", release: "7", eol: "2024-06-30" },
  { family: "centos", release: "8", eol: "2021-12-31" },
  { family: "rocky", release: "8", eol: "2029-05-31" },
  { family: "rocky", release: "9", eol: "2032-05-31" },
  { family: "almalinux", release: "8", eol: "2029-05-31" },
  { family: "almalinux", release: "9", eol: "2032-05-31" },
  { family: "amzn", release: "2", eol: "2026-06-30" },
  { family: "amzn", release: "2023", eol: "2029-06-30" },
];

/** The table entry for an OS version: exact release, else the longest release that prefixes it. */
export function eolFor(family: string, version: string): EolEntry | undefined {
  const candidates = EOL_TABLE.filter(
    (e) => e.family === family && (version === e.release || version.startsWith(`${e.release}.`)),
  );
  return candidates.sort((a, b) => b.release.length - a.release.length)[0];
}
