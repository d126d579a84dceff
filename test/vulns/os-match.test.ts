import { describe, expect, it } from "vitest";
import { osRelease, packageEcosystem, releaseMatches } from "../../src/vulns/match/os.js";
import { parseOsvRecord } from "../../src/vulns/osv/normalize.js";

describe("distribution releases", () => {
  it("derives the OSV release from os-release VERSION_ID", () => {
    expect(osRelease("Debian", { family: "debian", version: "12" })).toBe("12");
    expect(osRelease("Debian", { family: "debian", version: "12.5" })).toBe("12");
    expect(osRelease("Alpine", { family: "alpine", version: "3.20.3" })).toBe("v3.20");
    expect(osRelease("Ubuntu", { family: "ubuntu", version: "22.04" })).toBe("22.04");
    expect(osRelease("Red Hat", { family: "rhel", version: "9.4" })).toBe("9");
    expect(osRelease("Debian", undefined)).toBeUndefined();
  });

  it("matches OSV release spellings", () => {
    expect(releaseMatches("Ubuntu", "22.04:LTS", "22.04")).toBe(true);
    expect(releaseMatches("Ubuntu", "Pro:22.04:LTS", "22.04")).toBe(true);
    expect(releaseMatches("Ubuntu", "20.04:LTS", "22.04")).toBe(false);
    expect(releaseMatches("Red Hat", "enterprise_linux:9::appstream", "9")).toBe(true);
    expect(releaseMatches("Red Hat", "enterprise_linux:8::baseos", "9")).toBe(false);
    expect(releaseMatches("Debian", "12", "12")).toBe(true);
    expect(releaseMatches("Debian", "11", "12")).toBe(false);
    expect(releaseMatches("Debian", "12", undefined)).toBe(false);
    expect(releaseMatches("PyPI", "", undefined)).toBe(true);
  });

  it("takes the release from the package's ecosystem when it names one", () => {
    expect(
      packageEcosystem(
        { name: "a", version: "1", ecosystem: "Debian:11" },
        { family: "debian", version: "12" },
      ),
    ).toEqual({ base: "Debian", release: "11" });
    expect(
      packageEcosystem({ name: "a", version: "1", ecosystem: "npm" }, { family: "debian", version: "12" }),
    ).toEqual({ base: "npm" });
  });

  it("uses a record-level distro rating (Ubuntu's) as the packages' severity", () => {
    const r = parseOsvRecord(
      JSON.stringify({
        id: "UBUNTU-CVE-2024-1",
        modified: "2024-01-01T00:00:00Z",
        severity: [
          { type: "Ubuntu", score: "high" },
          { type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N" },
        ],
        affected: [
          {
            package: { ecosystem: "Ubuntu:22.04:LTS", name: "openssl" },
            ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "3.0.2-0ubuntu1.15" }] }],
          },
        ],
      }),
    );
    expect(r.affected[0]!.severity).toBe("high");
  });
});
