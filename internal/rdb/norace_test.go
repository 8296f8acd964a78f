//go:build !race

package rdb_test

const raceEnabled = false
