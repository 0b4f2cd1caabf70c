package storage

import (
	"context"
	"encoding/json"
	"iter"
	"slices"
	"time"
)

// KV bundles a Store with the helpers application code uses day to day:
// key iteration and the entry builder.
type KV struct {
	store Store
}

func NewKV(s Store) *KV { return &KV{store: s} }

func (k *KV) Store() Store { return k.store }

// KeysConfig bounds a key iteration. Zero values mean "no bound".
type KeysConfig struct {
	PageSize int
	MaxKeys  int
	MaxPages int
	Deadline time.Time
}

func PageSize(n int) Option[KeysConfig] { return func(c *KeysConfig) { c.PageSize = n } }

func MaxKeys(n int) Option[KeysConfig] { return func(c *KeysConfig) { c.MaxKeys = n } }

// MaxPages stops the iteration after n list calls.
func MaxPages(n int) Option[KeysConfig] { return func(c *KeysConfig) { c.MaxPages = n } }

func Until(t time.Time) Option[KeysConfig] { return func(c *KeysConfig) { c.Deadline = t } }

// Keys pages through every key under prefix, following the cursor. The
// prefix is sent with every page. Iteration stops at the first error,
// which is yielded once.
func (k *KV) Keys(ctx context.Context, prefix string, opts ...Option[KeysConfig]) iter.Seq2[KeyInfo, error] {
	cfg := Apply(KeysConfig{PageSize: MaxListLimit}, opts...)
	return func(yield func(KeyInfo, error) bool) {
		var cursor string
		seen, pages := 0, 0
		for {
			if !cfg.Deadline.IsZero() && time.Now().After(cfg.Deadline) {
				return
			}
			page, err := k.store.List(ctx, ListQuery{Prefix: prefix, Cursor: cursor, Limit: cfg.PageSize})
			if err != nil {
				yield(KeyInfo{}, err)
				return
			}
			pages++
			for _, ki := range page.Keys {
				if !yield(ki, nil) {
					return
				}
				seen++
				if cfg.MaxKeys > 0 && seen >= cfg.MaxKeys {
					return
				}
			}
			if page.Complete || page.Cursor == "" {
				return
			}
			if cfg.MaxPages > 0 && pages >= cfg.MaxPages {
				return
			}
			cursor = page.Cursor
		}
	}
}

func (k *KV) Entry(key string) Entry {
	return Entry{kv: k, key: key}
}

// Entry is an immutable write description; every setter returns a copy so
// a partially built entry can be reused as a template.
type Entry struct {
	kv    *KV
	key   string
	value []byte
	opts  []Option[PutOptions]
	err   error
}

func (e Entry) with(o Option[PutOptions]) Entry {
	e.opts = append(slices.Clip(e.opts), o)
	return e
}

func (e Entry) Value(v []byte) Entry { e.value = v; return e }

func (e Entry) String(s string) Entry { e.value = []byte(s); return e }

// JSON encodes v as the value. Encoding errors surface from Put.
func (e Entry) JSON(v any) Entry {
	b, err := json.Marshal(v)
	e.value, e.err = b, err
	return e
}

func (e Entry) TTL(d time.Duration) Entry { return e.with(WithTTL(d)) }

func (e Entry) Put(ctx context.Context) error {
	if e.err != nil {
		return e.err
	}
	return e.kv.store.Put(ctx, e.key, e.value, e.opts...)
}

// GetJSON reads key and decodes it into v. It returns ErrNotFound on a miss.
func (k *KV) GetJSON(ctx context.Context, key string, v any) error {
	b, err := k.store.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
