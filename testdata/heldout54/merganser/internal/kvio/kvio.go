// Package kvio defines the small interfaces the domain packages use to talk to
// a key-value namespace. Implementations live in edgekv (Worker binding) and
// cfkv (Cloudflare REST API).
package kvio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is returned by every Getter when the key does not exist.
var ErrNotFound = errors.New("kvio: key not found")

// Getter reads one value.
type Getter interface {
	Get(ctx context.Context, key string) (string, error)
}

// Putter writes one value. A zero ttl means the value never expires.
type Putter interface {
	Put(ctx context.Context, key, value string, ttl time.Duration) error
}

// Deleter removes one key.
type Deleter interface {
	Delete(ctx context.Context, key string) error
}

// Page is one page of a key listing.
type Page struct {
	Keys     []string
	Cursor   string
	Complete bool
}

// Lister returns one page of keys under prefix, starting at cursor.
type Lister interface {
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

// GetPutter reads and writes.
type GetPutter interface {
	Getter
	Putter
}

// GetDeleter reads and removes.
type GetDeleter interface {
	Getter
	Deleter
}

// PutDeleter writes and removes.
type PutDeleter interface {
	Putter
	Deleter
}

// ReadWriter is everything except listing.
type ReadWriter interface {
	Getter
	Putter
	Deleter
}

// Store is the full namespace surface.
type Store interface {
	ReadWriter
	Lister
}

// Into reads key and decodes its JSON value into dst.
func Into(ctx context.Context, g Getter, key string, dst any) error {
	raw, err := g.Get(ctx, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(raw), dst); err != nil {
		return fmt.Errorf("kvio: decode %q: %w", key, err)
	}
	return nil
}

// Lookup is Into with the miss folded into a boolean.
func Lookup(ctx context.Context, g Getter, key string, dst any) (bool, error) {
	switch err := Into(ctx, g, key, dst); {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNotFound):
		return false, nil
	default:
		return false, err
	}
}

// PutJSON encodes v and writes it under key.
func PutJSON(ctx context.Context, p Putter, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kvio: encode %q: %w", key, err)
	}
	return p.Put(ctx, key, string(b), ttl)
}

// AppendJSON adds item to the JSON array stored under key, creating the
// array when the key is missing.
func AppendJSON[T any](ctx context.Context, rw GetPutter, key string, item T, ttl time.Duration) error {
	var list []T
	if _, err := Lookup(ctx, rw, key, &list); err != nil {
		return err
	}
	list = append(list, item)
	b, err := json.Marshal(list)
	if err != nil {
		return err
	}
	return rw.Put(ctx, key, string(b), ttl) // EXPECT kvrace
}

// Collect walks pages of prefix until the listing is complete or maxKeys keys
// have been gathered, whichever comes first.
func Collect(ctx context.Context, l Lister, prefix string, maxKeys int) ([]string, string, error) {
	var (
		out    []string
		cursor string
	)
	for len(out) < maxKeys {
		page, err := l.List(ctx, prefix, cursor, min(1000, maxKeys-len(out)))
		if err != nil {
			return out, cursor, err
		}
		out = append(out, page.Keys...)
		if page.Complete {
			return out, "", nil
		}
		cursor = page.Cursor
	}
	return out, cursor, nil
}
