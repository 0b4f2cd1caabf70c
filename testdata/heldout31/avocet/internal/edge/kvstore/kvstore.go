//go:build js && wasm

// Package kvstore adapts the Workers KV binding to the application's
// storage ports and to ops.Exec.
package kvstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/avocet/internal/domain"
	"example.com/avocet/internal/keys"
	"example.com/avocet/internal/ops"
	"example.com/avocet/internal/ports"
)

// jsNull is how syscall/js renders a JavaScript null as a Go string, which
// is what GetString returns for a missing key.
const jsNull = "<null>"

type Adapter struct {
	ns *kv.Namespace
}

func Open(binding string) (*Adapter, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: %w", err)
	}
	return &Adapter{ns: ns}, nil
}

func (a *Adapter) Namespace() *kv.Namespace { return a.ns }

// Missing reports whether a GetString result stands for an absent key.
func Missing(v string) bool { return v == jsNull }

func classify(err error) error {
	if err != nil && (strings.Contains(err.Error(), "429") || strings.Contains(err.Error(), "503")) {
		return fmt.Errorf("%w: %v", ops.ErrTransient, err)
	}
	return err
}

func (a *Adapter) Exec(_ context.Context, op ops.Op) (ops.Result, error) {
	switch op.Kind {
	case ops.OpGet:
		var opts *kv.GetOptions
		if op.CacheFor > 0 {
			opts = &kv.GetOptions{CacheTTL: int(max(op.CacheFor, 30*time.Second) / time.Second)}
		}
		v, err := a.ns.GetString(op.Key, opts)
		if err != nil {
			return ops.Result{}, classify(err)
		}
		if v == jsNull {
			return ops.Result{}, nil
		}
		return ops.Result{Value: []byte(v), Found: true}, nil
	case ops.OpPut:
		return ops.Result{}, classify(a.ns.PutString(op.Key, string(op.Value), putOptions(op)))
	case ops.OpDelete:
		return ops.Result{}, classify(a.ns.Delete(op.Key))
	case ops.OpList:
		res, err := a.ns.List(&kv.ListOptions{Prefix: op.Prefix, Cursor: op.Cursor, Limit: op.Limit})
		if err != nil {
			return ops.Result{}, classify(err)
		}
		names := make([]string, len(res.Keys))
		for i, k := range res.Keys {
			names[i] = k.Name
		}
		return ops.Result{Keys: names, Cursor: res.Cursor, Complete: res.ListComplete}, nil
	}
	return ops.Result{}, ops.ErrUnsupported
}

func putOptions(op ops.Op) *kv.PutOptions {
	switch {
	case op.TTL > 0:
		return &kv.PutOptions{ExpirationTTL: int(op.TTL / time.Second)}
	case !op.ExpireAt.IsZero():
		return &kv.PutOptions{Expiration: int(op.ExpireAt.Unix())}
	}
	return nil
}

// Text returns the stored string for key as the binding reports it.
func (a *Adapter) Text(key string) (string, error) {
	return a.ns.GetString(key, nil)
}

// Append adds a line to a newline-separated log document.
func (a *Adapter) Append(key, line string) error {
	old, err := a.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if old == jsNull {
		old = ""
	}
	return a.ns.PutString(key, old+line+"\n", nil) // EXPECT kvrace
}

// Bump adds one to the number stored under key and returns the new value.
func (a *Adapter) Bump(key string) (int, error) {
	v, err := a.ns.GetString(key, nil)
	if err != nil {
		return 0, err
	}
	n := 0
	if v != jsNull {
		n, _ = strconv.Atoi(v)
	}
	n++
	return n, a.ns.PutString(key, strconv.Itoa(n), nil) // EXPECT kvcounter
}

func (a *Adapter) lookup(key string) ([]byte, bool, error) {
	v, err := a.ns.GetString(key, nil)
	if err != nil || v == jsNull {
		return nil, false, err
	}
	return []byte(v), true, nil
}

func (a *Adapter) load(key string) ([]byte, error) {
	v, ok, err := a.lookup(key)
	if err == nil && !ok {
		err = domain.ErrNotFound
	}
	return v, err
}

func (a *Adapter) Sessions(prefix string) ports.SessionStore {
	key := keys.Scoped(prefix)("sess")
	return ports.SessionStore{
		Load: func(_ context.Context, id string) (s domain.Session, err error) {
			b, err := a.load(key(id))
			if err == nil {
				err = json.Unmarshal(b, &s)
			}
			return s, err
		},
		Save: func(_ context.Context, s domain.Session) error {
			b, err := json.Marshal(s)
			if err != nil {
				return err
			}
			// Never hand KV a lifetime under its one-minute minimum; a
			// session that close to expiry is refused on read anyway.
			ttl := max(time.Until(s.ExpiresAt), time.Minute)
			return a.ns.PutString(key(s.ID), string(b), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
		},
		Drop: func(_ context.Context, id string) error { return a.ns.Delete(key(id)) },
	}
}

// Drafts returns the wizard draft port; drafts expire after life.
func (a *Adapter) Drafts(prefix string, life time.Duration) ports.DraftStore {
	key := keys.Scoped(prefix)("draft")
	return ports.DraftStore{
		Load: func(_ context.Context, creator string) ([]byte, bool, error) { return a.lookup(key(creator)) },
		Save: func(_ context.Context, creator string, doc []byte) error {
			return a.ns.PutString(key(creator), string(doc), &kv.PutOptions{ExpirationTTL: int(life)}) // EXPECT kvttl
		},
		Clear: func(_ context.Context, creator string) error { return a.ns.Delete(key(creator)) },
	}
}

func (a *Adapter) Tokens(prefix string) ports.TokenCache {
	key := keys.Scoped(prefix)("upstream-token")
	return ports.TokenCache{
		Get: func(_ context.Context, name string) (string, bool, error) {
			v, ok, err := a.lookup(key(name))
			return string(v), ok, err
		},
		Put: func(_ context.Context, name, token string, ttl time.Duration) error {
			if ttl < time.Minute {
				ttl = time.Minute
			}
			return a.ns.PutString(key(name), token, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
		},
	}
}

func (a *Adapter) Catalog() ports.Catalog {
	return ports.Catalog{
		Find: func(_ context.Context, q ports.Query) (ports.Page, error) {
			q = q.WithDefaults()
			res, err := a.ns.List(&kv.ListOptions{Prefix: q.Prefix, Limit: q.Limit, Cursor: q.After})
			if err != nil {
				return ports.Page{}, err
			}
			page := ports.Page{Next: res.Cursor, Done: res.ListComplete}
			for _, k := range res.Keys {
				page.Keys = append(page.Keys, k.Name)
			}
			return page, nil
		},
		Load: func(_ context.Context, key string) ([]byte, error) { return a.load(key) },
	}
}

// Documents returns the JSON document port; absent documents read as nil.
func (a *Adapter) Documents() ports.Documents {
	return ports.Documents{
		Read: func(_ context.Context, key string) ([]byte, error) {
			v, _, err := a.lookup(key)
			return v, err
		},
		Write: func(_ context.Context, key string, doc []byte) error {
			return a.ns.PutString(key, string(doc), nil)
		},
	}
}
