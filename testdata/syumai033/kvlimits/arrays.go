package kvlimits

import (
	"github.com/syumai/workers/cloudflare/kv"
)

// A filter whose bits a struct holds in an array: all of it is the value.
type filter struct {
	bits [(1 << 28) / 8]byte
}

func saveFilter(ns *kv.Namespace, f *filter) error {
	return ns.PutString("filter/bloom", string(f.bits[:]), nil) // want `this value is 33554432 bytes`
}

// Quiet: a small array, and part of a large one.
type smallFilter struct {
	bits [1 << 16]byte
}

func saveSmallFilter(ns *kv.Namespace, f *smallFilter) error {
	return ns.PutString("filter/small", string(f.bits[:]), nil)
}

func saveFilterPart(ns *kv.Namespace, f *filter, n int) error {
	return ns.PutString("filter/part", string(f.bits[:n]), nil)
}

var table [30 << 20]byte

// A package variable's array, whole.
func saveTable(ns *kv.Namespace) error {
	return ns.PutString("table", string(table[:]), nil) // want `this value is 31457280 bytes`
}
