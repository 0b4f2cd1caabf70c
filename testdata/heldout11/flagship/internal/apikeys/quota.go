package apikeys

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.com/flagship/internal/kvkey"
	"example.com/flagship/internal/storage"
	"example.com/flagship/internal/typed"
)

// ErrQuotaExceeded is returned when a key has used its monthly allowance.
var ErrQuotaExceeded = errors.New("apikeys: monthly quota exceeded")

// Quota is one key's bundle downloads in one calendar month.
type Quota struct {
	Used  int `json:"used"`
	Limit int `json:"limit"`
}

// Quotas charges bundle downloads against a monthly allowance.
type Quotas struct {
	store *typed.Store[Quota]
	limit int
}

// NewQuotas returns a quota tracker with the given monthly limit.
func NewQuotas(kvs storage.Store, limit int) *Quotas {
	return &Quotas{store: typed.New[Quota](kvs, kvkey.Key("quota"), nil), limit: limit}
}

// Charge adds n to keyID's usage for this month.
func (q *Quotas) Charge(ctx context.Context, keyID string, n int) (Quota, error) {
	id := keyID + "/" + time.Now().UTC().Format("2006-01")
	cur, err := q.store.Get(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		cur = Quota{Limit: q.limit}
	} else if err != nil {
		return Quota{}, err
	}
	if cur.Used+n > cur.Limit {
		return cur, fmt.Errorf("%w (%d/%d)", ErrQuotaExceeded, cur.Used, cur.Limit)
	}
	cur.Used += n
	return cur, q.store.Put(ctx, id, cur, 40*24*time.Hour) // EXPECT kvcounter
}
