// Package codes writes through store.Writer, whose adapter sets a TTL or
// an expiration only when the options give one.
package codes

import (
	"context"
	"encoding/json"
	"time"

	"kvlint.test/ports/store"
)

type Code struct {
	User string
	Code string
}

// Issue keeps a sign-in code until half a minute from now: less than
// KV's 60 seconds ahead.
func Issue(ctx context.Context, w store.Writer, c Code) error {
	return save(ctx, w, "code:"+c.User, c, store.WriteOptions{
		ExpireAt: time.Now().Add(30 * time.Second), // kvttl, reported at the option
	})
}

// Remember keeps the last code an hour, a time.Duration read as one.
func Remember(ctx context.Context, w store.Writer, c Code) error {
	return save(ctx, w, "last:"+c.User, c, store.WriteOptions{TTL: time.Hour})
}

// Archive writes a record that does not expire: no lifetime given.
func Archive(ctx context.Context, w store.Writer, c Code) error {
	return save(ctx, w, "archive:"+c.User, c, store.WriteOptions{})
}

func save(ctx context.Context, w store.Writer, key string, v any, opts store.WriteOptions) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return w.Write(ctx, key, b, opts)
}
