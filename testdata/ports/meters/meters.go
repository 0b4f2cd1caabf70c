// Package meters holds the port's halves as function values whose types
// implement it, set by whoever builds a Meter (nothing here does).
package meters

import (
	"context"
	"strconv"
	"time"

	"kvlint.test/ports/store"
)

type Meter struct {
	Get store.GetterFunc
	Set store.SetterFunc
}

// Stamp writes a stamp that lives ten seconds, below KV's minimum.
func (m Meter) Stamp(ctx context.Context, api string) error {
	return m.Set(ctx, "stamp:"+api, []byte(time.Now().UTC().Format(time.RFC3339)), 10*time.Second) // kvttl
}

// Touch writes one that lives an hour.
func (m Meter) Touch(ctx context.Context, api string) error {
	return m.Set(ctx, "touch:"+api, []byte(time.Now().UTC().Format(time.RFC3339)), time.Hour)
}

// Format is a function of the same shape that is no port: a formatter.
type Format func(ctx context.Context, key string) ([]byte, error)

// Render calls a Format, whose type has no Get method.
func Render(ctx context.Context, f Format, api string) ([]byte, error) {
	raw, err := f(ctx, "calls:"+api)
	if err != nil {
		return nil, err
	}
	n, _ := strconv.Atoi(string(raw))
	return []byte(strconv.Itoa(n + 1)), nil
}
