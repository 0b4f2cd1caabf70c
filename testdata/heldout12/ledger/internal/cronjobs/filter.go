//go:build js && wasm

package cronjobs

import (
	"bytes"
	"context"
	"hash/fnv"
	"strings"

	"example.com/ledger/internal/consts"
	"example.com/ledger/internal/storage"
)

// codeFilter is a Bloom filter over issued card codes. The storefront
// checks it before hitting KV for a code that was mistyped.
type codeFilter [consts.CodeFilterBytes]byte

func (f *codeFilter) add(code string) {
	h := fnv.New64a()
	_, _ = h.Write([]byte(code))
	sum := h.Sum64()
	bits := uint64(len(f) * 8)
	for i := range 3 {
		bit := (sum >> (uint(i) * 21)) % bits
		f[bit/8] |= 1 << (bit % 8)
	}
}

// rebuildCodeFilter recomputes the filter from the first 200k card keys.
func (j *Runner) rebuildCodeFilter(ctx context.Context) (int, error) {
	keys, err := storage.FirstN(ctx, j.store, string(consts.PrefixCard)+":", 200_000)
	if err != nil {
		return 0, err
	}
	f := new(codeFilter)
	for _, k := range keys {
		f.add(strings.TrimPrefix(k, string(consts.PrefixCard)+":"))
	}
	return len(keys), j.kv.PutReader(consts.KeyCodeFilter, bytes.NewReader(f[:]), nil) // EXPECT kvlimits
}
