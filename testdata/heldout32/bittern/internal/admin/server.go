// Package admin is the operator backend: it runs maintenance jobs on
// demand, inspects KV through the REST API, and handles support requests
// (custom domains, bonus downloads, forced logouts).
package admin

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"bittern/internal/jobs"
	"bittern/internal/model"
	"bittern/internal/restkv"
)

// Server serves the admin API. Requests carry the namespace in their
// context, so jobs started from here find it the same way as from the CLI.
type Server struct {
	NS  *restkv.Namespace
	Log *slog.Logger
}

var (
	errBadRequest  = errors.New("admin: bad request")
	errDomainTaken = errors.New("admin: domain already points at a show")
)

type handlerFunc func(ctx context.Context, r *http.Request) (any, error)

func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, f handlerFunc) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			v, err := f(restkv.NewContext(r.Context(), s.NS), r)
			s.respond(w, v, err)
		})
	}
	handle("POST /jobs/{name}", func(ctx context.Context, r *http.Request) (any, error) {
		return nil, jobs.Run(ctx, r.PathValue("name"))
	})
	handle("GET /keys", s.listKeys)
	handle("GET /keys/peek", s.peekKeys)
	handle("POST /creators/{creator}/sessions/{session}/revoke", s.revokeSession)
	handle("POST /domains", s.claimDomain)
	handle("PATCH /shows/{show}", s.patchShow)
	handle("POST /subscribers/{sub}/bonus", s.grantBonus)
	handle("POST /episodes/{episode}/embargo", s.embargo)
	mux.HandleFunc("GET /values/{key...}", s.getValue)
	return mux
}

func (s *Server) respond(w http.ResponseWriter, v any, err error) {
	var unknown jobs.UnknownError
	switch {
	case err == nil && v == nil:
		w.WriteHeader(http.StatusNoContent)
	case err == nil:
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	case errors.Is(err, errBadRequest):
		http.Error(w, err.Error(), http.StatusBadRequest)
	case errors.As(err, &unknown), restkv.IsNotFound(err):
		http.Error(w, err.Error(), http.StatusNotFound)
	case errors.Is(err, errDomainTaken):
		http.Error(w, err.Error(), http.StatusConflict)
	default:
		s.Log.Error("admin request failed", "err", err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

func names(keys []kv.Key) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.Name
	}
	return out
}

// listKeys returns one page of keys and the cursor for the next.
func (s *Server) listKeys(ctx context.Context, r *http.Request) (any, error) {
	q := r.URL.Query()
	keys, next, err := s.NS.Page(ctx, q.Get("prefix"), q.Get("cursor"), 100)
	return map[string]any{"keys": names(keys), "cursor": next}, err
}

// peekKeys shows the first few keys under a prefix, for autocomplete.
func (s *Server) peekKeys(ctx context.Context, r *http.Request) (any, error) {
	keys, _, err := s.NS.Page(ctx, r.URL.Query().Get("prefix"), "", 5) // EXPECT kvlimits
	return names(keys), err
}

func (s *Server) getValue(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	res, err := s.NS.API.KV.Namespaces.Values.Get(r.Context(), s.NS.NamespaceID, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.NS.AccountID)}) // EXPECT kvnull
	if err != nil {
		s.respond(w, nil, err)
		return
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		http.Error(w, "no such key", http.StatusNotFound)
		return
	}
	w.Header().Set("Expiration", res.Header.Get("Expiration"))
	io.Copy(w, res.Body)
}

// revokeSession logs a creator out on behalf of support.
func (s *Server) revokeSession(ctx context.Context, r *http.Request) (any, error) {
	ns := restkv.Audited{Namespace: s.NS, Actor: r.Header.Get("X-Admin-User"), Log: s.Log}
	return nil, ns.Delete(ctx, "sess:"+r.PathValue("session")) // EXPECT kvsession
}

// claimDomain points a custom domain at a show.
func (s *Server) claimDomain(ctx context.Context, r *http.Request) (any, error) {
	host := strings.ToLower(strings.TrimSpace(r.FormValue("host")))
	showID := r.FormValue("show")
	if host == "" || showID == "" {
		return nil, errBadRequest
	}
	key := "domain:" + host
	_, err := s.NS.Get(ctx, key)
	switch {
	case err == nil:
		return nil, errDomainTaken
	case !restkv.IsNotFound(err):
		return nil, err
	}
	return nil, s.NS.Put(ctx, key, []byte(showID), 0) // EXPECT kvrace
}

// patchShow edits the cached show record the Worker serves, e.g. to fix a
// title before the origin sync catches up.
func (s *Server) patchShow(ctx context.Context, r *http.Request) (any, error) {
	var patch struct {
		Title   *string `json:"title"`
		Private *bool   `json:"private"`
	}
	if err := json.NewDecoder(r.Body).Decode(&patch); err != nil {
		return nil, errBadRequest
	}
	key := "showmeta:" + r.PathValue("show")
	var show model.Show
	if err := s.NS.ReadJSON(ctx, key, &show); err != nil {
		return nil, err
	}
	if patch.Title != nil {
		show.Title = *patch.Title
	}
	if patch.Private != nil {
		show.Private = *patch.Private
	}
	return show, s.NS.Write(key).TTL(10 * time.Minute).JSON(show).Do(ctx) // EXPECT kvrace
}

type usage struct {
	Used  int       `json:"used"`
	Since time.Time `json:"since"`
}

// grantBonus gives a subscriber extra downloads this month by lowering the
// usage the Worker has counted.
func (s *Server) grantBonus(ctx context.Context, r *http.Request) (any, error) {
	var in struct {
		Downloads int `json:"downloads"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Downloads <= 0 {
		return nil, errBadRequest
	}
	key := "quota:" + r.PathValue("sub") + ":" + time.Now().UTC().Format("2006-01")
	var u usage
	if err := s.NS.ReadJSON(ctx, key, &u); err != nil {
		return nil, err
	}
	u.Used = max(u.Used-in.Downloads, 0)
	return u, s.NS.Write(key).TTL(40 * 24 * time.Hour).JSON(u).Do(ctx) // EXPECT kvcounter
}

// embargo keeps an episode's press copy available until its release.
func (s *Server) embargo(ctx context.Context, r *http.Request) (any, error) {
	at, err := time.Parse(time.RFC3339, r.FormValue("until"))
	if err != nil || time.Until(at) < 24*time.Hour {
		return nil, errBadRequest
	}
	return nil, s.NS.PutUntil(ctx, "press:"+r.PathValue("episode"), []byte(r.FormValue("url")), at)
}
