// Package keyed counts seats through the typed-key port.
package keyed

import (
	"context"
	"strconv"

	"kvlint.test/ports/stringers"
)

func Activate(ctx context.Context, kv stringers.KV, license string) error {
	k := stringers.SeatKey{License: license}
	b, err := kv.Get(ctx, k)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(string(b))
	return kv.Put(ctx, k, []byte(strconv.Itoa(n+1))) // kvcounter
}

// Quiet: a fresh value, not one read back.
func Reset(ctx context.Context, kv stringers.KV, license string) error {
	return kv.Put(ctx, stringers.SeatKey{License: license}, []byte("0"))
}
