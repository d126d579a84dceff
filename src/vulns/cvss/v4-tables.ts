/**
 * CVSS v4.0 scoring data from the FIRST specification's reference calculator
 * (github.com/FIRSTdotorg/cvss-v4-calculator, BSD-2-Clause): the score of the highest-severity vector
 * of each MacroVector, the highest-severity vectors themselves, and each equivalence set's depth.
 */

/**
 * MacroVector scores in the order EQ1 (0-2), EQ2 (0-1), EQ3 (0-2), EQ4 (0-2), EQ5 (0-2), EQ6 (0-1),
 * the last digit varying fastest; EQ3 = 2 exists only with EQ6 = 1 (270 MacroVectors in all).
 */
const SCORES_IN_ORDER = [
  // EQ1=0 EQ2=0
  10, 9.9, 9.8, 9.5, 9.5, 9.2, 10, 9.6, 9.3, 8.7, 9.1, 8.1, 9.3, 9, 8.9, 8, 8.1, 6.8, 9.8, 9.5, 9.5, 9.2, 9,
  8.4, 9.3, 9.2, 8.9, 8.1, 8.1, 6.5, 8.8, 8, 7.8, 7, 6.9, 4.8, 9.2, 8.2, 7.2, 7.9, 6.9, 5, 6.9, 5.5, 2.7,
  // EQ1=0 EQ2=1
  9.9, 9.7, 9.5, 9.2, 9.2, 8.5, 9.5, 9.1, 9, 8.3, 8.4, 7.1, 9.2, 8.1, 8.2, 7.1, 7.2, 5.3, 9.5, 9.3, 9.2, 8.5,
  8.5, 7.3, 9.2, 8.2, 8, 7.2, 7, 5.9, 8.4, 7, 7.1, 5.2, 5, 3, 8.6, 7.5, 5.2, 7.1, 5.2, 2.9, 6.3, 2.9, 1.7,
  // EQ1=1 EQ2=0
  9.8, 9.5, 9.4, 8.7, 9.1, 8.1, 9.4, 8.9, 8.6, 7.4, 7.7, 6.4, 8.7, 7.5, 7.4, 6.3, 6.3, 4.9, 9.4, 8.9, 8.8,
  7.7, 7.6, 6.7, 8.6, 7.6, 7.4, 5.8, 5.9, 5, 7.2, 5.7, 5.7, 5.2, 5.2, 2.5, 8.3, 7, 5.4, 6.5, 5.8, 2.6, 5.3,
  2.1, 1.3,
  // EQ1=1 EQ2=1
  9.5, 9, 8.8, 7.6, 7.6, 7, 9, 7.7, 7.5, 6.2, 6.1, 5.3, 7.7, 6.6, 6.8, 5.9, 5.2, 3, 8.9, 7.8, 7.6, 6.7, 6.2,
  5.8, 7.4, 5.9, 5.7, 5.7, 4.7, 2.3, 6.1, 5.2, 5.7, 2.9, 2.4, 1.6, 7.1, 5.9, 3, 5.8, 2.6, 1.5, 2.3, 1.3, 0.6,
  // EQ1=2 EQ2=0
  9.3, 8.7, 8.6, 7.2, 7.5, 5.8, 8.6, 7.4, 7.4, 6.1, 5.6, 3.4, 7, 5.4, 5.2, 4, 4, 2.2, 8.5, 7.5, 7.4, 5.5, 6.2,
  5.1, 7.2, 5.7, 5.5, 4.1, 4.6, 1.9, 5.3, 3.6, 3.4, 1.9, 1.9, 0.8, 6.4, 5.1, 2, 4.7, 2.1, 1.1, 2.4, 0.9, 0.4,
  // EQ1=2 EQ2=1
  8.8, 7.5, 7.3, 5.3, 6, 5, 7.3, 5.5, 5.9, 4, 4.1, 2, 5.4, 4.3, 4.5, 2.2, 2, 1.1, 7.5, 5.5, 5.8, 4.5, 4, 2.1,
  6.1, 5.1, 4.8, 1.8, 2, 0.9, 4.6, 1.8, 1.7, 0.7, 0.8, 0.2, 5.3, 2.4, 1.4, 2.4, 1.2, 0.5, 1, 0.3, 0.1,
];

function buildLookup(): ReadonlyMap<string, number> {
  const out = new Map<string, number>();
  let i = 0;
  for (let e1 = 0; e1 < 3; e1++)
    for (let e2 = 0; e2 < 2; e2++)
      for (let e3 = 0; e3 < 3; e3++)
        for (let e4 = 0; e4 < 3; e4++)
          for (let e5 = 0; e5 < 3; e5++)
            for (let e6 = 0; e6 < 2; e6++) {
              if (e3 === 2 && e6 === 0) continue;
              out.set(`${e1}${e2}${e3}${e4}${e5}${e6}`, SCORES_IN_ORDER[i++]!);
            }
  if (i !== SCORES_IN_ORDER.length) throw new Error("CVSS v4 table size mismatch");
  return out;
}

export const MACRO_SCORES = buildLookup();

/** Highest-severity vectors per EQ level (EQ3 and EQ6 together, as the specification pairs them). */
export const MAX_VECTORS = {
  eq1: [
    ["AV:N/PR:N/UI:N"],
    ["AV:A/PR:N/UI:N", "AV:N/PR:L/UI:N", "AV:N/PR:N/UI:P"],
    ["AV:P/PR:N/UI:N", "AV:A/PR:L/UI:P"],
  ],
  eq2: [["AC:L/AT:N"], ["AC:H/AT:N", "AC:L/AT:P"]],
  eq3eq6: [
    [["VC:H/VI:H/VA:H/CR:H/IR:H/AR:H"], ["VC:H/VI:H/VA:L/CR:M/IR:M/AR:H", "VC:H/VI:H/VA:H/CR:M/IR:M/AR:M"]],
    [
      ["VC:L/VI:H/VA:H/CR:H/IR:H/AR:H", "VC:H/VI:L/VA:H/CR:H/IR:H/AR:H"],
      [
        "VC:L/VI:H/VA:L/CR:H/IR:M/AR:H",
        "VC:L/VI:H/VA:H/CR:H/IR:M/AR:M",
        "VC:H/VI:L/VA:H/CR:M/IR:H/AR:M",
        "VC:H/VI:L/VA:L/CR:M/IR:H/AR:H",
        "VC:L/VI:L/VA:H/CR:H/IR:H/AR:M",
      ],
    ],
    [[], ["VC:L/VI:L/VA:L/CR:H/IR:H/AR:H"]],
  ],
  eq4: [["SC:H/SI:S/SA:S"], ["SC:H/SI:H/SA:H"], ["SC:L/SI:L/SA:L"]],
  eq5: [["E:A"], ["E:P"], ["E:U"]],
} as const;

/** Depth of each EQ level in severity steps ("max severity" in the reference calculator). */
export const DEPTHS = {
  eq1: [1, 4, 5],
  eq2: [1, 2],
  eq3eq6: [
    [7, 6],
    [8, 8],
    [0, 10],
  ],
  eq4: [6, 5, 4],
} as const;
