package restkv

import (
	"context"
	"encoding/json"
	"time"

	"github.com/arcadia-games/shoveler/internal/kvbase"
)

// Table is the backend's generic base for JSON records under a key prefix.
// Concrete stores embed it and may shadow its methods.
type Table[T any] struct {
	C      *Client
	Prefix string
	TTL    time.Duration
}

// Key returns the key of a record.
func (t *Table[T]) Key(id ...string) string {
	return kvbase.Key(append([]string{t.Prefix}, id...)...)
}

// Get loads one record.
func (t *Table[T]) Get(ctx context.Context, id ...string) (T, error) {
	var v T
	raw, err := t.C.Get(ctx, t.Key(id...))
	if err != nil {
		return v, err
	}
	return v, json.Unmarshal(raw, &v)
}

// Put stores one record with the table TTL.
func (t *Table[T]) Put(ctx context.Context, v T, id ...string) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return t.C.Put(ctx, t.Key(id...), b, t.TTL)
}

// Delete removes one record.
func (t *Table[T]) Delete(ctx context.Context, id ...string) error {
	return t.C.Delete(ctx, t.Key(id...))
}
