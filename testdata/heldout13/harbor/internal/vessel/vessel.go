// Package vessel serves vessel ETAs and port-call schedules, caching the AIS
// provider's answers in KV.
package vessel

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"example.com/harbor/internal/codec"
	"example.com/harbor/internal/policy"
	"example.com/harbor/internal/storage"
)

// ETA is the provider's estimate for a vessel.
type ETA struct {
	IMO       string    `json:"imo"`
	Name      string    `json:"name"`
	ETA       time.Time `json:"eta_utc"`
	FetchedAt time.Time `json:"fetched_at"`
}

// Visit is a scheduled port call.
type Visit struct {
	IMO   string    `json:"imo"`
	Berth string    `json:"berth"`
	ETA   time.Time `json:"eta"`
	ETD   time.Time `json:"etd"`
}

// Ping is one AIS position report.
type Ping struct {
	IMO   string    `json:"imo"`
	Lat   float64   `json:"lat"`
	Lon   float64   `json:"lon"`
	Speed float64   `json:"speed_knots"`
	At    time.Time `json:"at"`
}

// PilotBooking is the pilotage service's booking for an inbound vessel.
type PilotBooking struct {
	Pilot    string    `json:"pilot"`
	Boarding time.Time `json:"boarding"`
	Station  string    `json:"station"`
}

// NewHTTPSource returns a Loader calling the AIS provider's REST API.
func NewHTTPSource(baseURL, key string) codec.Loader[ETA] {
	hc := &http.Client{Timeout: 5 * time.Second}
	return func(ctx context.Context, imo string) (ETA, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/vessels/"+imo+"/eta", nil)
		if err != nil {
			return ETA{}, err
		}
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := hc.Do(req)
		if err != nil {
			return ETA{}, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return ETA{}, fmt.Errorf("vessel: AIS provider returned %s for %s", resp.Status, imo)
		}
		var e ETA
		err = json.NewDecoder(resp.Body).Decode(&e)
		e.FetchedAt = time.Now().UTC()
		return e, err
	}
}

// Service answers ETA and schedule queries.
type Service struct {
	st   storage.Store
	etas *codec.Cached[ETA]
	log  *slog.Logger
}

// NewService returns a Service caching provider answers for cacheTTL.
func NewService(st storage.Store, src codec.Loader[ETA], cacheTTL time.Duration, log *slog.Logger) *Service {
	return &Service{
		st:   st,
		etas: codec.NewCached(st, policy.For("vessel-eta").Prefix, cacheTTL, src),
		log:  log.With("component", "vessel"),
	}
}

// ETA returns the cached or freshly fetched ETA.
func (s *Service) ETA(ctx context.Context, imo string) (ETA, error) {
	return s.etas.Get(ctx, imo)
}

// PublishSchedule stores a port call until the vessel has left.
func (s *Service) PublishSchedule(ctx context.Context, v Visit) error {
	ttl := max(time.Until(v.ETD), time.Minute)
	return s.putJSON(ctx, "schedule:"+v.IMO, v, ttl)
}

// PublishPilotWindow stores the pilot boarding window, kept until six hours
// after departure.
func (s *Service) PublishPilotWindow(ctx context.Context, v Visit, pb PilotBooking) error {
	b, err := json.Marshal(pb)
	if err != nil {
		return err
	}
	return s.st.Put(ctx, "pilot:"+v.IMO, b,
		storage.WithExpiration(v.ETD.Add(6*time.Hour).UnixMilli())) // EXPECT kvttl
}

// Pilot returns the pilot booking for an inbound vessel.
func (s *Service) Pilot(ctx context.Context, imo string) (PilotBooking, error) {
	raw, _ := s.st.Get(ctx, "pilot:"+imo) // EXPECT kvnull
	var pb PilotBooking
	if err := json.Unmarshal(raw, &pb); err != nil {
		return PilotBooking{}, fmt.Errorf("decode pilot booking: %w", err)
	}
	return pb, nil
}

func (s *Service) putJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.st.Put(ctx, key, b, storage.WithTTL(ttl))
}

// RecordPing keeps the latest AIS fix for the map view.
func (s *Service) RecordPing(ctx context.Context, p Ping) error {
	if p.Speed < 0 || p.Speed > 60 {
		return fmt.Errorf("vessel: implausible speed %.1f kn for %s", p.Speed, p.IMO)
	}
	return s.putJSON(ctx, "ais:last:"+p.IMO, p, 20*time.Second) // EXPECT kvttl
}

// RecordArrivalNotice stores the agent's notice of readiness; the pilot desk
// only needs it briefly.
func (s *Service) RecordArrivalNotice(ctx context.Context, imo, notice string) error {
	n := struct {
		IMO    string    `json:"imo"`
		Notice string    `json:"notice"`
		At     time.Time `json:"at"`
	}{imo, notice, time.Now().UTC()}
	return codec.Save(ctx, s.st, "nor:"+imo, n, 45*time.Second)
}
