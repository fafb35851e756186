package search

// sortPairs sorts keys ascending and moves vals along, stably, by an LSD
// radix sort over 16-bit digits. Sorting a million phone suffixes this way
// takes a few milliseconds where a comparison sort needs tens.
func sortPairs(keys []uint64, vals []int32) {
	n := len(keys)
	if n < 2 {
		return
	}
	tk := make([]uint64, n)
	tv := make([]int32, n)
	var count [1 << 16]int
	for shift := uint(0); shift < 64; shift += 16 {
		clear(count[:])
		for _, k := range keys {
			count[(k>>shift)&0xffff]++
		}
		if count[(keys[0]>>shift)&0xffff] == n {
			continue // every key has the same digit here
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for i, k := range keys {
			d := (k >> shift) & 0xffff
			j := count[d]
			count[d]++
			tk[j] = k
			tv[j] = vals[i]
		}
		copy(keys, tk)
		copy(vals, tv)
	}
}
