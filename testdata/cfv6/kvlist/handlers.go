package kvlist

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

type manifest struct {
	Org, Key string
}

var errNoManifest = errors.New("no manifest")

// restore finds the newest manifest under one of the prefixes: the first
// key of a page of ten, read once.
func (s *store) restore(ctx context.Context, prefixes []string) (*manifest, error) {
	for _, p := range prefixes {
		page, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(s.account),
			Prefix:    cloudflare.F("manifest/" + p),
			Limit:     cloudflare.F(10.0),
		})
		if err != nil {
			return nil, err
		}
		for _, k := range page.Result {
			raw, err := s.get(ctx, k.Name)
			if err != nil {
				return nil, err
			}
			var m manifest
			if err := json.Unmarshal([]byte(raw), &m); err != nil {
				return nil, err
			}
			return &m, nil
		}
	}
	return nil, errNoManifest
}

// A handler that reads the hits of the manifest it found: one get per
// request, not one per listed key, though the handler runs many times.
func (s *store) restoreHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /restore/{org}", func(w http.ResponseWriter, r *http.Request) {
		m, err := s.restore(r.Context(), strings.Split(r.Header.Get("X-Restore-Keys"), ","))
		if err != nil {
			http.Error(w, "miss", http.StatusNoContent)
			return
		}
		hits, _ := s.get(r.Context(), "hits/"+m.Org+"/"+m.Key)
		w.Write([]byte(hits))
	})
	return mux
}

// A handler that reads every manifest it lists, in its own loop.
func (s *store) manifestsHandler() http.Handler { // want manifestsHandler:"kvlist"
	mux := http.NewServeMux()
	mux.HandleFunc("GET /manifests/{org}", func(w http.ResponseWriter, r *http.Request) {
		page, err := s.client.KV.Namespaces.Keys.List(r.Context(), s.ns, kv.NamespaceKeyListParams{ // want `only the first page`
			AccountID: cloudflare.F(s.account),
			Prefix:    cloudflare.F("manifest/" + r.PathValue("org") + "/"),
			Limit:     cloudflare.F(100.0),
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for _, k := range page.Result {
			raw, _ := s.get(r.Context(), k.Name) // want `one get per listed key`
			w.Write([]byte(raw))
		}
	})
	return mux
}
