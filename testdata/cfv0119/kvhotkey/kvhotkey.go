// Package kvhotkey holds kvhotkey's cases on cloudflare-go v0, whose
// single-key write takes no lifetime: adapters write one pair in bulk.
package kvhotkey

import (
	"context"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

type store struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// Put writes one pair, in bulk, to give it a lifetime.
func (s *store) Put(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.ns, KVs: []*cloudflare.WorkersKVPair{{Key: key, Value: string(v), ExpirationTTL: int(ttl.Seconds())}}})
	return err
}

type alerts struct{ s *store }

// ServeLatest is called for every alert.
func (a *alerts) ServeLatest(w http.ResponseWriter, r *http.Request) { // want ServeLatest:"kvhotkey"
	if err := a.s.Put(r.Context(), "alerts/latest", []byte(r.FormValue("id")), 0); err != nil { // want `this handler writes the same KV key on every request`
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// Quiet: each alert under its own key.
func (a *alerts) ServeAlert(w http.ResponseWriter, r *http.Request) {
	_ = a.s.Put(r.Context(), "alerts/"+r.FormValue("id"), []byte("1"), time.Hour)
}

// A version marker rewritten for every device in a loop.
func (a *alerts) reindex(ctx context.Context, ids []string) error { // want reindex:"kvhotkey"
	for _, id := range ids {
		if err := a.s.Put(ctx, "idx/"+id, []byte("v2"), 0); err != nil {
			return err
		}
		if err := a.s.Put(ctx, "idx/_version", []byte("v2:"+id), 0); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return nil
}

// PutMany writes the pairs it is given in one request.
func (s *store) PutMany(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.ns, KVs: pairs})
	return err
}

// Quiet: each chunk holds other keys.
func (a *alerts) importAll(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	for start := 0; start < len(pairs); start += 1000 {
		if err := a.s.PutMany(ctx, pairs[start:min(start+1000, len(pairs))]); err != nil {
			return err
		}
	}
	return nil
}
