// Package doctable is a generic JSON-document base that domain stores
// embed: keys are the tenant the context carries, the table's prefix and
// the id parts a caller gives, joined.
package doctable

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"kvlint.test/cfv3/bulkkv"
)

type tenantKey struct{}

func tenantFrom(ctx context.Context) string {
	if id, _ := ctx.Value(tenantKey{}).(string); id != "" {
		return id
	}
	return "_"
}

func join(parts ...string) string { return strings.Join(parts, "/") }

// Table stores values of type T under <tenant>/<Prefix>/<id...>.
type Table[T any] struct {
	Space  bulkkv.Space
	Prefix string
}

// Key returns the key of the id parts in the tenant of ctx.
func (t Table[T]) Key(ctx context.Context, id ...string) string {
	parts := append([]string{tenantFrom(ctx), t.Prefix}, id...)
	return join(parts...)
}

func (t Table[T]) Get(ctx context.Context, id ...string) (T, error) {
	var v T
	raw, err := t.Space.Get(ctx, t.Key(ctx, id...))
	if err != nil {
		return v, err
	}
	err = json.Unmarshal([]byte(raw), &v)
	return v, err
}

func (t Table[T]) Put(ctx context.Context, v T, id ...string) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return t.Space.WriteExpiring(ctx, t.Key(ctx, id...), string(raw), 30*24*time.Hour)
}
