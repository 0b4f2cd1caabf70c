//go:build js && wasm

// Package api is the HTTP surface of the edge Worker: a JSON RPC endpoint
// used by runners and the dashboard, badge and cache downloads, and the
// cron entry point.
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"plover/internal/edgekv"
	"plover/internal/enc"
	"plover/internal/keys"
	"plover/internal/worker/apikeys"
	"plover/internal/worker/badges"
	"plover/internal/worker/buildcache"
	"plover/internal/worker/limits"
	"plover/internal/worker/runners"
)

// Version is stamped at build time with -ldflags.
var Version = "dev"

var (
	lastRequestKey = keys.Key("edge:last-request")
	versionKey     = keys.Key("edge:version")
	maintenanceKey = keys.Key("edge:maintenance")
)

// Server holds the services of the Worker. One Server lives per isolate.
type Server struct {
	Auth    *edgekv.Store
	Meta    *edgekv.Store
	Runners *runners.Registry
	Keys    *apikeys.Keys
	Cache   *buildcache.Cache
	Badges  *badges.Badges
	Limits  *limits.Limiter
}

type rpcBody struct {
	Op       string          `json:"op"`
	Org      string          `json:"org"`
	Project  string          `json:"project"`
	Branch   string          `json:"branch"`
	From     string          `json:"from"`
	Build    int64           `json:"build"`
	Token    string          `json:"token"`
	Code     string          `json:"code"`
	Hash     string          `json:"hash"`
	Name     string          `json:"name"`
	Labels   []string        `json:"labels"`
	Slug     string          `json:"slug"`
	KeyHash  string          `json:"key_hash"`
	State    string          `json:"state"`
	Line     string          `json:"line"`
	Size     int64           `json:"size"`
	Parts    int             `json:"parts"`
	Plan     string          `json:"plan"`
	MaxSlots int             `json:"max_slots"`
	Budget   int64           `json:"budget"`
	PinUntil time.Time       `json:"pin_until"`
	Started  time.Time       `json:"started_at"`
	Settings json.RawMessage `json:"settings"`
}

// request is the state of one RPC call. Writes that do not have to be
// visible before the response are staged and applied by save.
type request struct {
	s       *Server
	r       *http.Request
	id      string
	body    rpcBody
	out     map[string]any
	stages  map[*edgekv.Store]*edgekv.Batch
	order   []*edgekv.Store
	started time.Time
}

func (s *Server) newRequest(r *http.Request) *request {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	req := &request{
		s:       s,
		r:       r,
		id:      hex.EncodeToString(b),
		out:     map[string]any{},
		stages:  map[*edgekv.Store]*edgekv.Batch{},
		started: time.Now(),
	}
	req.on(s.Meta).Put(versionKey, Version, 0) // EXPECT kvhotkey
	req.on(s.Meta).Put(keys.Key("edge:trace:"+req.id), r.URL.Path, 20*time.Second)
	return req
}

// on returns the unit of work of st for this request.
func (req *request) on(st *edgekv.Store) *edgekv.Batch {
	if b, ok := req.stages[st]; ok {
		return b
	}
	b := st.Batch()
	req.stages[st] = b
	req.order = append(req.order, st)
	return b
}

// save applies the staged writes in the order their stores were first used.
func (req *request) save(ctx context.Context) error {
	var errs []error
	for _, st := range req.order {
		if err := req.stages[st].Commit(ctx); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", st.Binding(), err))
		}
	}
	return errors.Join(errs...)
}

// ServeHTTP routes Worker requests.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cloudflare.WaitUntil(func() {
		_ = s.Meta.Put(lastRequestKey, enc.Stamp(time.Now()), 0) // EXPECT kvhotkey
	})

	if v, ok, err := s.Meta.GetCached(maintenanceKey, time.Minute); err == nil && ok && v != "off" {
		w.Header().Set("Retry-After", "300")
		http.Error(w, v, http.StatusServiceUnavailable)
		return
	}

	path := strings.Trim(r.URL.Path, "/")
	parts := strings.Split(path, "/")
	switch {
	case r.Method == http.MethodPost && path == "rpc":
		s.serveRPC(w, r)
	case r.Method == http.MethodGet && len(parts) == 3 && parts[0] == "badge":
		s.Badges.Serve(w, parts[1], strings.TrimSuffix(parts[2], ".svg"))
	case r.Method == http.MethodPut && len(parts) == 4 && parts[0] == "upload":
		s.serveUpload(w, r, parts[1], parts[2], parts[3])
	case r.Method == http.MethodGet && len(parts) == 3 && parts[0] == "cache":
		s.serveCache(w, r, parts[1], parts[2])
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) serveRPC(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()

	req := s.newRequest(r)
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req.body); err != nil {
		http.Error(w, "bad request body", http.StatusBadRequest)
		return
	}
	op, ok := ops[req.body.Op]
	if !ok {
		http.Error(w, "unknown op "+req.body.Op, http.StatusBadRequest)
		return
	}
	if err := op(ctx, req); err != nil {
		log.Printf("rpc %s %s: %v", req.id, req.body.Op, err)
		http.Error(w, err.Error(), statusOf(err))
		return
	}
	if err := req.save(ctx); err != nil {
		log.Printf("rpc %s: save: %v", req.id, err)
		http.Error(w, "storage error", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(req.out)
}

func statusOf(err error) int {
	switch {
	case errors.Is(err, runners.ErrBadCode), errors.Is(err, runners.ErrBadToken),
		errors.Is(err, runners.ErrRevoked), errors.Is(err, apikeys.ErrUnknownKey):
		return http.StatusUnauthorized
	case errors.Is(err, apikeys.ErrTooManyTries):
		return http.StatusTooManyRequests
	case errors.Is(err, apikeys.ErrSlugTaken):
		return http.StatusConflict
	case errors.Is(err, buildcache.ErrMiss):
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request, project, hash, uploadID string) {
	if _, err := s.Runners.Authenticate(r.Header.Get("X-Runner-Token")); err != nil {
		http.Error(w, err.Error(), statusOf(err))
		return
	}
	parts, err := s.Cache.Upload(r.Context(), uploadID, keys.CacheKey{Project: project, Hash: hash}, r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]int{"parts": parts})
}

func (s *Server) serveCache(w http.ResponseWriter, r *http.Request, project, hash string) {
	pk, err := s.Keys.Verify(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), r.Header.Get("CF-Connecting-IP"))
	if err != nil {
		http.Error(w, err.Error(), statusOf(err))
		return
	}
	if pk.Project != project {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	e, err := s.Cache.Lookup(keys.CacheKey{Project: project, Hash: hash})
	if err != nil {
		http.Error(w, err.Error(), statusOf(err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(e)
}
