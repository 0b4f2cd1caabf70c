//go:build js && wasm

// Package tracking serves the public tracking links sent to recipients.
package tracking

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/sorrel/internal/domain"
	"example.com/sorrel/internal/httpx"
	"example.com/sorrel/internal/keyspace"
	"example.com/sorrel/internal/kvstore"
)

const jsNull = "<null>"

// ErrUnknownLink is returned for tokens that were never issued or expired.
var ErrUnknownLink = errors.New("tracking: unknown link")

// Link maps a public token to a parcel.
type Link struct {
	Token    string      `json:"token"`
	ParcelID string      `json:"parcel_id"`
	Tier     domain.Tier `json:"tier"`
	Expires  time.Time   `json:"expires"`
}

// View is the rendered tracking page.
type View struct {
	ParcelID string        `json:"parcel_id"`
	Status   domain.Status `json:"status"`
	Area     string        `json:"area"`
	ETA      time.Time     `json:"eta,omitzero"`
	Tier     domain.Tier   `json:"tier"`
	Rendered time.Time     `json:"rendered"`
	key      string
}

// Key is where the view is cached.
func (v View) Key() string { return v.key }

// TTL is how long the view may be served.
func (v View) TTL() time.Duration { return v.Tier.TrackingTTL() }

// Origin is the parcel system of record.
type Origin interface {
	Parcel(ctx context.Context, id string) (domain.Parcel, error)
}

// Service resolves links and renders views.
type Service struct {
	ns     *kv.Namespace
	store  kvstore.Store
	origin Origin
	ks     keyspace.Space
	seen   map[string]int
}

// NewService returns a tracking service. The store is used for cached views.
func NewService(ns *kv.Namespace, st kvstore.Store, origin Origin, ks keyspace.Space) *Service {
	return &Service{ns: ns, store: st, origin: origin, ks: ks, seen: make(map[string]int)}
}

func newToken() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// CreateLink issues a tracking link that expires with the parcel's tier.
func (s *Service) CreateLink(ctx context.Context, p domain.Parcel) (Link, error) {
	if err := ctx.Err(); err != nil {
		return Link{}, err
	}
	tok, err := newToken()
	if err != nil {
		return Link{}, err
	}
	l := Link{Token: tok, ParcelID: p.ID, Tier: p.Tier, Expires: time.Now().Add(p.Tier.LinkLifetime())}
	raw, err := json.Marshal(l)
	if err != nil {
		return Link{}, err
	}
	if err := s.ns.PutString(s.ks.Track(tok), string(raw), &kv.PutOptions{Expiration: int(l.Expires.Unix())}); err != nil {
		return Link{}, fmt.Errorf("tracking: store link: %w", err)
	}
	return l, nil
}

// Resolve looks a token up.
func (s *Service) Resolve(ctx context.Context, token string) (Link, error) {
	if err := ctx.Err(); err != nil {
		return Link{}, err
	}
	raw, err := s.ns.GetString(s.ks.Track(token), &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		return Link{}, err
	}
	if raw == jsNull {
		return Link{}, ErrUnknownLink
	}
	var l Link
	if err := json.Unmarshal([]byte(raw), &l); err != nil {
		return Link{}, err
	}
	return l, nil
}

// Page returns the tracking view, rendering it from the origin on a miss.
func (s *Service) Page(ctx context.Context, parcelID string) (View, error) {
	key := s.ks.TrackView(parcelID)
	v, err := kvstore.Load[View](ctx, s.store, key, kvstore.WithCacheTTL(5*time.Minute))
	if err == nil {
		return v, nil
	}
	if !kvstore.IsMissing(err) {
		return View{}, err
	}
	p, err := s.origin.Parcel(ctx, parcelID)
	if err != nil {
		return View{}, fmt.Errorf("tracking: origin: %w", err)
	}
	v = View{ParcelID: p.ID, Status: p.Status, Area: outward(p.Postcode), Tier: p.Tier, Rendered: time.Now(), key: key}
	if eta, ok := s.etaOverride(parcelID); ok {
		v.ETA = eta
	}
	if err := kvstore.Save(ctx, s.store, v); err != nil {
		return View{}, err
	}
	return v, nil
}

func (s *Service) raw(key string) (string, error) {
	return s.ns.GetString(key, nil)
}

// etaOverride returns a dispatcher's manual ETA, if one is set.
func (s *Service) etaOverride(parcelID string) (time.Time, bool) {
	v, err := s.raw(s.ks.ETAOverride(parcelID))
	if err != nil || len(v) == 0 { // EXPECT kvnull
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// bumpViews publishes how often this isolate has served a link.
func (s *Service) bumpViews(token string) {
	n := s.seen[token] + 1
	s.seen[token] = n
	_ = s.ns.PutString(s.ks.Views(token), strconv.Itoa(n), nil) // EXPECT kvcounter
}

// outward returns the outward half of a UK postcode ("SW1A 1AA" -> "SW1A").
func outward(postcode string) string {
	out, _, _ := strings.Cut(postcode, " ")
	return out
}

// lastHitKey lets the status page show when tracking last served a customer.
const lastHitKey = "tracking:last-hit"

// Handler serves GET /t/{token}.
type Handler struct {
	svc *Service
}

// NewHandler returns the public tracking handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		httpx.Error(w, http.StatusMethodNotAllowed, "GET only")
		return
	}
	token := strings.TrimPrefix(r.URL.Path, "/t/")
	if token == "" || strings.Contains(token, "/") {
		http.NotFound(w, r)
		return
	}
	s := h.svc
	link, err := s.Resolve(r.Context(), token)
	if errors.Is(err, ErrUnknownLink) {
		httpx.Error(w, http.StatusNotFound, "this tracking link has expired")
		return
	}
	if err != nil {
		httpx.Error(w, http.StatusServiceUnavailable, "tracking unavailable")
		return
	}
	defer func() {
		// Keep the last few opens so support can tell whether the customer looked.
		hist, err := s.ns.GetString(s.ks.Visits(token), nil)
		if err != nil {
			return
		}
		var visits []time.Time
		if hist != jsNull {
			if err := json.Unmarshal([]byte(hist), &visits); err != nil {
				visits = nil
			}
		}
		visits = append(visits, time.Now().UTC())
		if len(visits) > 10 {
			visits = visits[len(visits)-10:]
		}
		raw, err := json.Marshal(visits)
		if err != nil {
			return
		}
		if err := s.ns.PutString(s.ks.Visits(token), string(raw), &kv.PutOptions{ExpirationTTL: 30 * 86400}); err != nil { // EXPECT kvrace
			log.Printf("tracking visits %s: %v", token, err)
		}
	}()

	view, err := s.Page(r.Context(), link.ParcelID)
	if err != nil {
		httpx.Error(w, http.StatusServiceUnavailable, "tracking unavailable")
		return
	}
	s.bumpViews(token)
	if err := s.ns.PutString(lastHitKey, time.Now().UTC().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
		log.Printf("tracking last-hit: %v", err)
	}
	w.Header().Set("Cache-Control", "private, max-age=30")
	httpx.JSON(w, http.StatusOK, view)
}
