//go:build js && wasm

// Package rides starts, pauses and ends rides, and keeps the per-rider
// daily limits and per-scooter ride history.
package rides

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/crake-mobility/crake/internal/dbgen"
	"github.com/crake-mobility/crake/internal/fleet"
	"github.com/crake-mobility/crake/internal/kvstore"
)

const (
	defaultDailyLimit = 8
	maxReserveMinutes = 15
	parkCheckDelay    = 2 * time.Minute
	receiptRetention  = 90 * 24 * time.Hour
	trackRetention    = 30 * 24 * time.Hour
)

// Service serves the ride endpoints.
type Service struct {
	Store   *kvstore.Store
	Queries *dbgen.Queries
	// InZone reports whether a parked scooter stands in an allowed zone.
	InZone func(ctx context.Context, p fleet.Point) (bool, error)
}

type startRequest struct {
	RiderID   string `json:"riderId"`
	ScooterID string `json:"scooterId"`
}

// dailyLimit is the number of rides a rider may start per day. Support
// can raise it per rider.
func (s *Service) dailyLimit(riderID string) int {
	raw, err := s.Store.Namespace().GetString("rider-limit:"+riderID, &kv.GetOptions{CacheTTL: 300}) // DEBATABLE kvnull
	if err != nil {
		return defaultDailyLimit
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n <= 0 {
		return defaultDailyLimit
	}
	return n
}

// Start begins a ride if the rider is under their daily limit.
func (s *Service) Start(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var in startRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.RiderID == "" || in.ScooterID == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	now := time.Now().UTC()
	day := fleet.DayOf(now)

	var u fleet.DailyUsage
	if _, err := s.Queries.GetRiderDaily(ctx, in.RiderID, day, &u); err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if u.Rides >= s.dailyLimit(in.RiderID) {
		http.Error(w, "daily ride limit reached", http.StatusTooManyRequests)
		return
	}
	u.Rides++
	u.LastAt = now
	if err := s.Queries.PutRiderDaily(ctx, in.RiderID, day, u, time.Until(fleet.EndOfDay(now))); err != nil { // EXPECT kvcounter|kvrace
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}

	rideID := strconv.FormatInt(now.UnixNano(), 36) + "-" + in.ScooterID
	if err := s.Store.PutString(ctx, "ride-started:"+rideID, strconv.FormatInt(now.Unix(), 10), 24*time.Hour); err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if _, err := s.Queries.IncrScooterRides(ctx, in.ScooterID); err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if err := s.appendHistory(ctx, in.ScooterID, rideID); err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"rideId": rideID})
}

// appendHistory keeps the IDs of a scooter's rides as a comma-separated
// list, used by the maintenance team to trace damage reports.
func (s *Service) appendHistory(ctx context.Context, scooterID, rideID string) error {
	key := "ride-history:" + scooterID
	prev, ok, err := s.Store.Get(ctx, key)
	if err != nil {
		return err
	}
	next := rideID
	if ok && prev != "" {
		next = prev + "," + rideID
	}
	return s.Store.PutString(ctx, key, next, 0) // EXPECT kvrace
}

type hold struct {
	ScooterID string    `json:"scooterId"`
	RiderID   string    `json:"riderId"`
	Until     time.Time `json:"until"`
}

// Reserve holds a scooter for a few minutes while the rider walks to it.
func (s *Service) Reserve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	minutes, err := strconv.Atoi(q.Get("minutes"))
	if err != nil || minutes < 1 || minutes > maxReserveMinutes {
		http.Error(w, "minutes must be 1-15", http.StatusBadRequest)
		return
	}
	h := hold{
		ScooterID: q.Get("scooter"),
		RiderID:   r.Header.Get("X-Rider-ID"),
		Until:     time.Now().Add(time.Duration(minutes) * time.Minute),
	}
	if err := s.Store.Put(r.Context(), "hold:"+h.ScooterID, h, time.Until(h.Until)); err != nil { // EXPECT kvttl
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

type pauseRequest struct {
	RideID  string `json:"rideId"`
	Seconds int    `json:"seconds"`
}

// Pause keeps the scooter locked to the rider during a short stop.
func (s *Service) Pause(w http.ResponseWriter, r *http.Request) {
	var in pauseRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.RideID == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	until := time.Now().Add(time.Duration(in.Seconds) * time.Second)
	ttl := time.Until(until)
	if ttl < 10*time.Second {
		ttl = 10 * time.Second
	}
	if err := s.Store.Put(r.Context(), "pause:"+in.RideID, map[string]any{"until": until}, ttl); err != nil { // EXPECT kvttl
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type endRequest struct {
	RideID    string        `json:"rideId"`
	ScooterID string        `json:"scooterId"`
	RiderID   string        `json:"riderId"`
	At        fleet.Point   `json:"at"`
	Track     []fleet.Point `json:"track"`
}

// Receipt is shown in the app after a ride.
type Receipt struct {
	RideID  string    `json:"rideId"`
	Minutes int       `json:"minutes"`
	Cents   int       `json:"cents"`
	EndedAt time.Time `json:"endedAt"`
}

// End finishes a ride, prices it and schedules the parking check.
func (s *Service) End(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var in endRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.RideID == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	raw, err := s.Store.Namespace().GetString("ride-started:"+in.RideID, nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	started, _ := strconv.ParseInt(raw, 10, 64)
	now := time.Now().UTC()
	minutes := int(now.Sub(time.Unix(started, 0)).Minutes()) + 1
	rec := Receipt{RideID: in.RideID, Minutes: minutes, Cents: 100 + 25*minutes, EndedAt: now}

	if err := s.Store.PutUntil(ctx, "receipt:"+in.RideID, rec, now.Add(receiptRetention)); err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if len(in.Track) > 0 {
		track, _ := json.Marshal(in.Track)
		opts := &kv.PutOptions{
			Expiration: int(now.Add(trackRetention).UnixMilli()), // EXPECT kvttl
		}
		if err := s.Store.Namespace().PutString("ride-track:"+in.RideID, string(track), opts); err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
	}
	sc := fleet.Scooter{ID: in.ScooterID, Status: fleet.StatusParked, Lat: in.At.Lat, Lng: in.At.Lng, UpdatedAt: now}
	if err := s.Queries.UpsertScooter(ctx, sc); err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	s.scheduleParkCheck(in.ScooterID, in.At)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(rec)
}

// scheduleParkCheck marks the scooter for pick-up if it was left outside
// every parking zone.
func (s *Service) scheduleParkCheck(scooterID string, at fleet.Point) {
	time.AfterFunc(parkCheckDelay, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ok, err := s.InZone(ctx, at)
		if err != nil || ok {
			return
		}
		sc := &fleet.Scooter{ID: scooterID}
		if found, err := kvstore.Fetch(ctx, s.Store, sc); err != nil || !found {
			return
		}
		if sc.Status != fleet.StatusParked {
			return
		}
		sc.Status = fleet.StatusMaintenance
		sc.UpdatedAt = time.Now().UTC()
		_ = kvstore.Save(ctx, s.Store, sc, 0) // EXPECT kvrace
	})
}

// Receipt returns a stored receipt.
func (s *Service) Receipt(w http.ResponseWriter, r *http.Request) {
	var rec Receipt
	ok, err := s.Store.Load(r.Context(), "receipt:"+r.URL.Query().Get("ride"), &rec)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(rec)
}
