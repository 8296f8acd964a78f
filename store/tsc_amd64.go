//go:build !purego

package store

// readTSC returns the CPU's time-stamp counter, read with RDTSC and no
// fence: later loads need not wait for it, nor it for earlier ones.
func readTSC() uint64

// cpuid returns EAX and EDX of CPUID leaf leaf (subleaf 0).
func cpuid(leaf uint32) (eax, edx uint32)

// tscUsable reports whether the time-stamp counter is invariant: it ticks
// at one rate in every power state and frequency (CPUID 0x80000007, EDX bit
// 8, which Linux shows as nonstop_tsc), so that ticks measure time.
func tscUsable() bool {
	if top, _ := cpuid(0x80000000); top < 0x80000007 {
		return false
	}
	_, edx := cpuid(0x80000007)
	return edx&(1<<8) != 0
}
