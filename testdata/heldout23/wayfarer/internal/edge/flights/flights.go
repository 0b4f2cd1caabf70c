//go:build js && wasm

// Package flights serves cached flight status.
package flights

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/wayfarer/internal/coalesce"
	"example.com/wayfarer/internal/domain"
	mw "example.com/wayfarer/internal/edge/middleware"
	"example.com/wayfarer/internal/storage"
	"example.com/wayfarer/internal/ttlpolicy"
)

// ErrUnknownFlight is returned by the provider for flights it does not know.
var ErrUnknownFlight = errors.New("unknown flight")

// Provider is the upstream flight-status API.
type Provider interface {
	Status(ctx context.Context, flight string) (domain.FlightStatus, error)
}

type Namespacer interface {
	Namespace() (*kv.Namespace, error)
}

// StatusKey is the cache key of a flight's status.
func StatusKey(flight string) string { return "flight-status:" + flight }

func missingKey(flight string) string { return "flight-missing:" + flight }

// Service is the read-through cache in front of the provider.
type Service struct {
	kvs      *storage.KV
	provider Provider
	inflight coalesce.Group[string, domain.FlightStatus]
	now      func() time.Time
}

func NewService(kvs *storage.KV, p Provider) *Service {
	return &Service{kvs: kvs, provider: p, now: time.Now}
}

// TTLFor picks how long a status may be served.
func (s *Service) TTLFor(st domain.FlightStatus) time.Duration {
	if st.Settled() {
		// Keep it until six hours after arrival, for the trip timeline.
		return ttlpolicy.Clamp(st.Arrives.Add(6 * time.Hour).Sub(s.now()))
	}
	return ttlpolicy.TierForDeparture(st.Departs.Sub(s.now())).TTL()
}

// Status returns the cached status or fetches it once for all concurrent
// callers.
func (s *Service) Status(ctx context.Context, flight string) (domain.FlightStatus, error) {
	var st domain.FlightStatus
	err := s.kvs.GetJSON(ctx, StatusKey(flight), &st)
	if err == nil {
		return st, nil
	}
	if !storage.IsNotFound(err) {
		return st, err
	}
	st, err, _ = s.inflight.Do(flight, func() (domain.FlightStatus, error) {
		if _, err := s.kvs.Store().Get(ctx, missingKey(flight)); err == nil {
			return domain.FlightStatus{}, ErrUnknownFlight
		}
		fresh, err := s.provider.Status(ctx, flight)
		if errors.Is(err, ErrUnknownFlight) {
			_ = s.kvs.Entry(missingKey(flight)).String("1").TTL(ttlpolicy.NegativeFlightLookup).Put(ctx)
			return fresh, err
		}
		if err != nil {
			return fresh, err
		}
		fresh.FetchedAt = s.now().UTC()
		return fresh, s.kvs.Entry(StatusKey(flight)).JSON(fresh).TTL(s.TTLFor(fresh)).Put(ctx)
	})
	return st, err
}

// Refresh re-fetches a status and rewrites the cache entry.
func (s *Service) Refresh(ctx context.Context, flight string) error {
	fresh, err := s.provider.Status(ctx, flight)
	if err != nil {
		return err
	}
	fresh.FetchedAt = s.now().UTC()
	return s.kvs.Entry(StatusKey(flight)).JSON(fresh).TTL(s.TTLFor(fresh)).Put(ctx)
}

type Handler struct {
	svc      *Service
	ns       Namespacer
	provider Provider
}

func NewHandler(svc *Service, ns Namespacer, p Provider) *Handler {
	return &Handler{svc: svc, ns: ns, provider: p}
}

func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /flights/{flight}", mw.E(h.status))
	mux.Handle("GET /partner/v1/flight-status", mw.E(h.partnerStatus))
}

func (h *Handler) status(w http.ResponseWriter, r *http.Request) error {
	st, err := h.svc.Status(r.Context(), strings.ToUpper(r.PathValue("flight")))
	if errors.Is(err, ErrUnknownFlight) {
		http.Error(w, "unknown flight", http.StatusNotFound)
		return nil
	}
	if err != nil {
		return err
	}
	return mw.WriteJSON(w, http.StatusOK, st)
}

// partnerStatus is the v1 partner endpoint. It predates Service and talks
// to the binding directly; partners rely on its exact response shape.
func (h *Handler) partnerStatus(w http.ResponseWriter, r *http.Request) error {
	flight := strings.ToUpper(r.URL.Query().Get("flight"))
	if flight == "" {
		http.Error(w, "flight is required", http.StatusBadRequest)
		return nil
	}
	ns, err := h.ns.Namespace()
	if err != nil {
		return err
	}
	key := StatusKey(flight)
	body, err := ns.GetString(key, &kv.GetOptions{CacheTTL: 60}) // EXPECT kvnull
	if err != nil {
		return err
	}
	if body == "" {
		st, err := h.provider.Status(r.Context(), flight)
		if err != nil {
			return err
		}
		raw, _ := json.Marshal(st)
		body = string(raw)
		if err := ns.PutString(key, body, &kv.PutOptions{ExpirationTTL: 30}); err != nil { // EXPECT kvttl
			return err
		}
	}
	_ = ns.PutString("flights:last-partner-lookup", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, body)
	return nil
}

type HTTPProvider struct {
	Base   string
	APIKey string
	Client *http.Client
}

func (p HTTPProvider) Status(ctx context.Context, flight string) (domain.FlightStatus, error) {
	var st domain.FlightStatus
	u := p.Base + "/status?flight=" + url.QueryEscape(flight)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return st, err
	}
	req.Header.Set("X-Api-Key", p.APIKey)
	res, err := p.Client.Do(req)
	if err != nil {
		return st, err
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotFound:
		return st, ErrUnknownFlight
	case res.StatusCode != http.StatusOK:
		return st, fmt.Errorf("flight status %s: %s", flight, res.Status)
	}
	return st, json.NewDecoder(res.Body).Decode(&st)
}
