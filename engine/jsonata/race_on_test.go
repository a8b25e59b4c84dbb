//go:build race

package jsonata_test

// raceEnabled is true when the race detector is on; the suite then skips its
// multi-second performance cases, which the detector slows tenfold.
const raceEnabled = true
