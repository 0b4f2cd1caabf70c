package decorate

import (
	"context"
	"encoding/json"

	"example.com/trellis/internal/clock"
	"example.com/trellis/internal/kvstore"
)

const auditKey = "audit:last-write"

type actorKey struct{}

// WithActor records who is performing writes on ctx.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// Audited records the most recent write and who made it, for the admin console's "last changed" line.
type Audited struct {
	kvstore.Store
	clock clock.Clock
}

func WithAudit(st kvstore.Store, c clock.Clock) *Audited { return &Audited{Store: st, clock: c} }

type auditRecord struct {
	Key   string `json:"key"`
	Actor string `json:"actor"`
	At    int64  `json:"at"`
}

func (a *Audited) Put(ctx context.Context, key string, value []byte, opts kvstore.PutOptions) error {
	if err := a.Store.Put(ctx, key, value, opts); err != nil {
		return err
	}
	actor, _ := ctx.Value(actorKey{}).(string)
	rec, err := json.Marshal(auditRecord{Key: key, Actor: actor, At: a.clock.Now().Unix()})
	if err != nil {
		return err
	}
	return a.Store.Put(ctx, auditKey, rec, kvstore.PutOptions{}) // EXPECT kvhotkey
}
