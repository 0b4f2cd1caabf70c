// Package portkv fills the ports of the program with closures over the
// KV adapter, whose keys a key function made once builds.
package portkv

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	cfkv "github.com/cloudflare/cloudflare-go/v6/kv"

	"kvlint.test/ports/kvstore"
	"kvlint.test/ports/logins"
)

// Scoped returns a function that makes the key function of a kind.
func Scoped(ns string) func(kind string) func(id string) string {
	return func(kind string) func(string) string {
		return func(id string) string { return strings.Join([]string{ns, kind, id}, ":") }
	}
}

func Sessions(kv *kvstore.KV, prefix string) logins.SessionStore {
	key := Scoped(prefix)("sess")
	return logins.SessionStore{
		Load: func(ctx context.Context, id string) (logins.Session, error) {
			var s logins.Session
			b, err := kv.Get(ctx, key(id))
			if err != nil {
				return s, err
			}
			return s, json.Unmarshal(b, &s)
		},
		Save: func(ctx context.Context, s logins.Session) error {
			b, err := json.Marshal(s)
			if err != nil {
				return err
			}
			return kv.Set(ctx, key(s.ID), b, time.Hour)
		},
		Drop: func(ctx context.Context, id string) error {
			_, err := kv.Client.KV.Namespaces.Values.Delete(ctx, kv.NSID, key(id), cfkv.NamespaceValueDeleteParams{AccountID: cloudflare.F(kv.Account)})
			return err
		},
	}
}
