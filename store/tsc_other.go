//go:build !amd64 || purego

package store

// readTSC is not used where there is no time-stamp counter to read.
func readTSC() uint64 { return 0 }

// tscUsable reports false: the clock reads package time (see [clock]).
func tscUsable() bool { return false }
