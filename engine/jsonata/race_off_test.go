//go:build !race

package jsonata_test

const raceEnabled = false
