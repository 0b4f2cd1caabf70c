// Package stats keeps campaign statistics: unique-open sketches, raw event
// roll-ups, per-node click counters and the archive view tally.
package stats

import (
	"encoding"
	"errors"
	"hash/fnv"
	"math"
	"math/bits"
)

// Sketch is a mergeable summary that encodes itself to bytes. Merge returns
// the union of the receiver and other.
type Sketch[S Sketch[S]] interface {
	encoding.BinaryAppender
	Merge(other S) S
}

const hllPrecision = 12

// HLL is a HyperLogLog counter of distinct strings with 2^12 registers.
type HLL struct {
	reg [1 << hllPrecision]uint8
}

// Add counts s.
func (h *HLL) Add(s string) {
	f := fnv.New64a()
	f.Write([]byte(s))
	x := f.Sum64()
	idx := x >> (64 - hllPrecision)
	rank := uint8(bits.LeadingZeros64(x<<hllPrecision|1<<(hllPrecision-1)) + 1)
	h.reg[idx] = max(h.reg[idx], rank)
}

// Estimate returns the approximate number of distinct strings added.
func (h *HLL) Estimate() uint64 {
	m := float64(len(h.reg))
	sum, zeros := 0.0, 0
	for _, r := range h.reg {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	e := 0.7213 / (1 + 1.079/m) * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(m/float64(zeros))
	}
	return uint64(e)
}

func (h *HLL) Merge(o *HLL) *HLL {
	out := *h
	for i, r := range o.reg {
		out.reg[i] = max(out.reg[i], r)
	}
	return &out
}

func (h *HLL) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, 'H', hllPrecision)
	return append(b, h.reg[:]...), nil
}

// DecodeHLL is the inverse of (*HLL).AppendBinary.
func DecodeHLL(b []byte) (*HLL, error) {
	if len(b) != 2+1<<hllPrecision || b[0] != 'H' || b[1] != hllPrecision {
		return nil, errors.New("stats: not an HLL sketch")
	}
	h := new(HLL)
	copy(h.reg[:], b[2:])
	return h, nil
}

// Bitset is a growable set of small integers (subscriber ordinals).
type Bitset []uint64

func (s Bitset) Has(i int) bool { return i/64 < len(s) && s[i/64]&(1<<(i%64)) != 0 }

// Set returns s with i added.
func (s Bitset) Set(i int) Bitset {
	for len(s) <= i/64 {
		s = append(s, 0)
	}
	s[i/64] |= 1 << (i % 64)
	return s
}

func (s Bitset) Merge(o Bitset) Bitset {
	out := make(Bitset, max(len(s), len(o)))
	copy(out, s)
	for i, w := range o {
		out[i] |= w
	}
	return out
}

func (s Bitset) AppendBinary(b []byte) ([]byte, error) {
	for _, w := range s {
		b = append(b, byte(w), byte(w>>8), byte(w>>16), byte(w>>24), byte(w>>32), byte(w>>40), byte(w>>48), byte(w>>56))
	}
	return b, nil
}

// DecodeBitset is the inverse of Bitset.AppendBinary.
func DecodeBitset(b []byte) (Bitset, error) {
	if len(b)%8 != 0 {
		return nil, errors.New("stats: truncated bitset")
	}
	s := make(Bitset, len(b)/8)
	for i := range s {
		for j := 7; j >= 0; j-- {
			s[i] = s[i]<<8 | uint64(b[i*8+j])
		}
	}
	return s, nil
}
