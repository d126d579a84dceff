/** CVSS v4.0 base score: not implemented yet (needs the FIRST macro-vector table); vectors are kept, unscored. */
export function cvss4BaseScore(vector: string): { version: string; score: number } | undefined {
  void vector;
  return undefined;
}
