// Package cooldowns keeps resend cooldowns in process memory, in the
// in-memory store: their short lifetime reaches no KV.
package cooldowns

import (
	"context"
	"time"

	"kvlint.test/ports/memstore"
	"kvlint.test/ports/store"
)

type Resends struct{ mem *memstore.Mem }

func New() *Resends { return &Resends{mem: &memstore.Mem{}} }

func (r *Resends) Note(ctx context.Context, parcel string) error {
	return r.mem.Put(ctx, "resend:"+parcel, []byte("1"), store.WithTTL(30*time.Second))
}
