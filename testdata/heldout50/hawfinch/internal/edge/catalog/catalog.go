//go:build js && wasm

// Package catalog serves the public side of the marketplace at the edge:
// search, subject listings, tutor profiles, reviews and the home page.
package catalog

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"hawfinch/internal/config"
	"hawfinch/internal/edge/auth"
	"hawfinch/internal/edge/web"
	"hawfinch/internal/edgekv"
	"hawfinch/internal/kind"
)

const searchBurst = 120

// Service implements the catalog endpoints.
type Service struct {
	root   edgekv.Scope
	cfg    config.Settings
	origin *web.Origin
	auth   *auth.Service

	mu   sync.Mutex
	hits map[string]int

	featured   atomic.Pointer[featuredSnapshot]
	refreshing atomic.Bool
}

// New returns the catalog service.
func New(root edgekv.Scope, cfg config.Settings, origin *web.Origin, a *auth.Service) *Service {
	return &Service{root: root, cfg: cfg, origin: origin, auth: a, hits: map[string]int{}}
}

// Routes registers the endpoints on mux.
func (s *Service) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /search", s.search)
	mux.HandleFunc("GET /search/preview", s.preview)
	mux.HandleFunc("GET /subjects", s.subjects)
	mux.HandleFunc("GET /subjects/{subject}/tutors", s.tutorsInSubject)
	mux.HandleFunc("GET /subjects/{subject}/stats", s.subjectStats)
	mux.HandleFunc("GET /featured", s.featuredTutors)
	mux.HandleFunc("GET /tutors/{id}", s.profile)
	mux.HandleFunc("GET /tutors/{id}/reviews", s.reviews)
	mux.HandleFunc("PUT /tutors/me/handle", s.claimHandle)
	mux.HandleFunc("GET /banner", s.banner)
}

func (s *Service) catalog() edgekv.Scope { return s.root.Scope("catalog") }

func normalise(q string) string {
	return strings.Join(strings.Fields(strings.ToLower(q)), " ")
}

// throttled counts searches per client address in this isolate and publishes
// the count so the abuse job can see scrapers.
func (s *Service) throttled(ip string) bool {
	s.mu.Lock()
	s.hits[ip]++
	n := s.hits[ip]
	s.mu.Unlock()
	if n > searchBurst {
		return true
	}
	limits := s.root.Scope("ratelimit", "search")
	if err := limits.PutAtLeast(ip, strconv.Itoa(n), time.Minute); err != nil { // EXPECT kvcounter
		log.Printf("catalog: publish hits: %v", err)
	}
	return false
}

func (s *Service) search(w http.ResponseWriter, r *http.Request) {
	if s.throttled(r.Header.Get("CF-Connecting-IP")) {
		web.Error(w, http.StatusTooManyRequests, "slow down")
		return
	}
	subject := r.URL.Query().Get("subject")
	q := normalise(r.URL.Query().Get("q"))
	key := subject + "/" + q
	results := s.catalog().Kind(kind.SearchResult)
	body, ok, err := results.Lookup(key, 0)
	if err != nil {
		log.Printf("catalog: search cache: %v", err)
	}
	if !ok {
		b, err := s.origin.Bytes(r.Context(), "/v1/search?subject="+url.QueryEscape(subject)+"&q="+url.QueryEscape(q))
		if err != nil {
			web.Error(w, http.StatusBadGateway, "search unavailable")
			return
		}
		body = string(b)
		if err := results.PutFor(kind.SearchResult, key, body); err != nil { // EXPECT kvttl
			log.Printf("catalog: cache search: %v", err)
		}
	}
	if err := s.catalog().Put("last-query", key, 0); err != nil { // EXPECT kvhotkey
		log.Printf("catalog: last query: %v", err)
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(body))
}

func (s *Service) preview(w http.ResponseWriter, r *http.Request) {
	q := normalise(r.URL.Query().Get("q"))
	if len(q) < 2 {
		web.JSON(w, http.StatusOK, []string{})
		return
	}
	fromOrigin := edgekv.LoaderFunc(func(ctx context.Context, q string) ([]byte, error) {
		return s.origin.Bytes(ctx, "/v1/search/preview?q="+url.QueryEscape(q))
	})
	load := fromOrigin.Cached(s.catalog().Scope("preview"), s.cfg.PreviewTTL) // DEBATABLE kvttl
	b, err := load(r.Context(), q)
	if err != nil {
		web.Error(w, http.StatusBadGateway, "preview unavailable")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// subjects returns every subject that has at least one tutor.
func (s *Service) subjects(w http.ResponseWriter, r *http.Request) {
	marker := s.catalog().Scope("subjects")
	res, err := marker.Namespace().List(&kv.ListOptions{Prefix: marker.Prefix()}) // EXPECT kvlist
	if err != nil {
		web.Error(w, http.StatusBadGateway, "try again")
		return
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, strings.TrimPrefix(k.Name, marker.Prefix()))
	}
	web.JSON(w, http.StatusOK, map[string]any{"subjects": names, "count": len(names)})
}

type tutorPage struct {
	Tutors []json.RawMessage `json:"tutors"`
	Cursor string            `json:"cursor,omitempty"`
}

// tutorsInSubject returns one page of tutor cards for a subject.
func (s *Service) tutorsInSubject(w http.ResponseWriter, r *http.Request) {
	cards := s.catalog().Scope("subject", r.PathValue("subject"))
	res, err := cards.Page(r.URL.Query().Get("cursor"), kind.Listing.Limit())
	if err != nil {
		web.Error(w, http.StatusBadGateway, "try again")
		return
	}
	page := tutorPage{Tutors: make([]json.RawMessage, 0, len(res.Keys))}
	for _, k := range res.Keys {
		card, err := cards.Namespace().GetString(k.Name, &kv.GetOptions{CacheTTL: kind.Listing.CacheTTL()}) // EXPECT kvlist
		if err != nil || card == "<null>" {
			continue
		}
		page.Tutors = append(page.Tutors, json.RawMessage(card))
	}
	if !res.ListComplete {
		page.Cursor = res.Cursor
	}
	web.JSON(w, http.StatusOK, page)
}

func (s *Service) subjectStats(w http.ResponseWriter, r *http.Request) {
	subject := r.PathValue("subject")
	stats := edgekv.LoaderFunc(func(ctx context.Context, subject string) ([]byte, error) {
		return s.origin.Bytes(ctx, "/v1/subjects/"+url.PathEscape(subject)+"/stats")
	}).Cached(s.catalog().Scope("stats"), 20*time.Second) // EXPECT kvttl
	b, err := stats.Load(r.Context(), subject)
	if err != nil {
		web.Error(w, http.StatusBadGateway, "stats unavailable")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

type featuredSnapshot struct {
	Tutors json.RawMessage
	Loaded time.Time
}

// featuredTutors serves the home-page carousel from memory and refreshes it
// in the background once it is older than RefreshEvery.
func (s *Service) featuredTutors(w http.ResponseWriter, r *http.Request) {
	snap := s.featured.Load()
	if snap == nil {
		var err error
		if snap, err = s.loadFeatured(r.Context()); err != nil {
			web.Error(w, http.StatusBadGateway, "try again")
			return
		}
	} else if time.Since(snap.Loaded) > s.cfg.RefreshEvery && s.refreshing.CompareAndSwap(false, true) {
		cloudflare.WaitUntil(func() {
			defer s.refreshing.Store(false)
			if _, err := s.loadFeatured(context.Background()); err != nil {
				log.Printf("catalog: refresh featured: %v", err)
			}
		})
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(snap.Tutors)
}

func (s *Service) loadFeatured(ctx context.Context) (*featuredSnapshot, error) {
	home := s.root.Scope("home")
	raw, ok, err := home.Lookup("featured", s.cfg.EdgeCacheTTL)
	if err != nil {
		return nil, err
	}
	if !ok {
		b, err := s.origin.Bytes(ctx, "/v1/featured")
		if err != nil {
			return nil, err
		}
		raw = string(b)
		if err := home.Put("featured", raw, time.Hour); err != nil {
			log.Printf("catalog: cache featured: %v", err)
		}
	}
	snap := &featuredSnapshot{Tutors: json.RawMessage(raw), Loaded: time.Now()}
	s.featured.Store(snap)
	return snap, nil
}

func (s *Service) profile(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	profiles := s.root.Kind(kind.Profile)
	fromOrigin := edgekv.LoaderFunc(func(ctx context.Context, id string) ([]byte, error) {
		return s.origin.Bytes(ctx, "/v1/tutors/"+url.PathEscape(id))
	})
	load := edgekv.FromKV(profiles, kind.Profile.CacheTTL()).Or(fromOrigin.Cached(profiles, s.cfg.ProfileCacheTTL))
	b, err := load(r.Context(), id)
	if err != nil {
		web.Error(w, http.StatusNotFound, "no such tutor")
		return
	}
	views, err := s.root.Namespace().GetString(s.root.Scope("tutor", id).Key("views"), nil) // EXPECT kvnull
	if err != nil {
		views = "0"
	}
	n, _ := strconv.Atoi(views)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Profile-Views", strconv.Itoa(n))
	_, _ = w.Write(b)
}

// claimHandle gives a tutor a vanity handle such as /t/maths-with-maria.
func (s *Service) claimHandle(w http.ResponseWriter, r *http.Request) {
	sess, err := s.auth.Current(r)
	if err != nil || sess.Role != "tutor" {
		web.Error(w, http.StatusForbidden, "tutors only")
		return
	}
	handle := normalise(r.FormValue("handle"))
	if len(handle) < 3 || strings.ContainsAny(handle, " /:") {
		web.Error(w, http.StatusBadRequest, "handle must be 3+ characters without spaces")
		return
	}
	handles := s.catalog().Scope("handle")
	if _, taken, err := handles.Lookup(handle, 0); err != nil {
		web.Error(w, http.StatusBadGateway, "try again")
		return
	} else if taken {
		web.Error(w, http.StatusConflict, "handle already taken")
		return
	}
	if err := handles.Put(handle, sess.UserID, 0); err != nil { // EXPECT kvrace
		web.Error(w, http.StatusBadGateway, "try again")
		return
	}
	if err := s.root.Scope("tutor", sess.UserID).Put("handle", handle, 0); err != nil {
		log.Printf("catalog: profile handle: %v", err)
	}
	web.JSON(w, http.StatusOK, map[string]string{"handle": handle})
}

func (s *Service) banner(w http.ResponseWriter, r *http.Request) {
	text, err := s.root.Namespace().GetString("site:banner", &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		web.Error(w, http.StatusBadGateway, "try again")
		return
	}
	if text == "" { // EXPECT kvnull
		w.WriteHeader(http.StatusNoContent)
		return
	}
	web.JSON(w, http.StatusOK, map[string]string{"banner": text})
}
