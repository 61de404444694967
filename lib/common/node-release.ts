// Which Node release the process runs, for behaviour that changed in a
// release rather than in something uvhttp can probe without side effects
// (a probe of the client would open a connection and publish to its
// diagnostics channels).

const [major, minor] = process.versions.node.split('.').map(Number)

/**
 * Whether the running release has a change that landed in the given minor
 * release of each line (`{ 24: 19, 26: 5 }`: 24.19+, 26.5+): lines newer
 * than every one listed have it, lines not listed do not.
 */
export function hasChangeFrom (sinceByLine: Readonly<Record<number, number>>): boolean {
  const since = sinceByLine[major]
  if (since !== undefined) return minor >= since
  return major > Math.max(...Object.keys(sinceByLine).map(Number))
}
