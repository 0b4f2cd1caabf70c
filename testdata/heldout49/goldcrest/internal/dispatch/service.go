// Package dispatch is the dispatch planner's service layer: depot capacity,
// delivery attempts, shifts and the partner API's refresh tokens. Methods take
// and return request and response structs so the same service backs the HTTP
// API and the internal RPC endpoint.
package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"goldcrest/internal/cfkv"
	"goldcrest/internal/clock"
	"goldcrest/internal/model"
)

var (
	ErrUnknownDay      = errors.New("dispatch: depot day not open")
	ErrAlreadyOpen     = errors.New("dispatch: depot day already open")
	ErrVersionConflict = errors.New("dispatch: capacity changed, reload and retry")
	ErrNoCapacity      = errors.New("dispatch: not enough free slots")
	ErrNoShift         = errors.New("dispatch: no open shift")
	ErrInvalidToken    = errors.New("dispatch: invalid refresh token")
)

const (
	holdWindow      = 45 * time.Second
	attemptsKept    = 30 * 24 * time.Hour
	refreshLifetime = 30 * 24 * time.Hour
	maxAttempts     = 3
)

// Service implements the dispatch RPCs.
type Service struct {
	kv        *cfkv.Namespace // DISPATCH_KV
	courierKV *cfkv.Namespace // COURIER_KV, shared with the Worker
	clock     clock.Clock

	capMu sync.Mutex // serialises capacity changes in this process

	statsMu   sync.Mutex
	delivered map[string]int // day -> parcels delivered, this process
}

// NewService returns a Service.
func NewService(dispatchKV, courierKV *cfkv.Namespace, c clock.Clock) *Service {
	return &Service{kv: dispatchKV, courierKV: courierKV, clock: c, delivered: make(map[string]int)}
}

func capacityKey(depotID, day string) string { return "capacity:" + depotID + ":" + day }

// OpenDayRequest opens a depot's delivery day with a number of slots.
type OpenDayRequest struct {
	DepotID string `json:"depot"`
	Day     string `json:"day"`
	Slots   int    `json:"slots"`
}

// OpenDayResponse reports the created record's version.
type OpenDayResponse struct {
	Version int64 `json:"version"`
}

// OpenDay creates the capacity record for a depot day.
func (s *Service) OpenDay(ctx context.Context, req *OpenDayRequest) (*OpenDayResponse, error) {
	key := capacityKey(req.DepotID, req.Day)
	if _, err := s.kv.Get(ctx, key); err == nil { // EXPECT kvnull
		return nil, ErrAlreadyOpen
	}
	c := model.DepotCapacity{
		DepotID: req.DepotID,
		Day:     req.Day,
		Slots:   req.Slots,
		Version: 1,
		Updated: s.clock.Now(),
	}
	if err := s.kv.Save(ctx, key, c, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &OpenDayResponse{Version: c.Version}, nil
}

// ReserveRequest asks for delivery slots at a depot. ExpectedVersion, when
// set, must match the version the caller last saw.
type ReserveRequest struct {
	DepotID         string `json:"depot"`
	Day             string `json:"day"`
	Slots           int    `json:"slots"`
	ExpectedVersion int64  `json:"expected_version,omitempty"`
}

// ReserveResponse is the capacity after a reservation or release.
type ReserveResponse struct {
	HoldID  string `json:"hold,omitempty"`
	Version int64  `json:"version"`
	Free    int    `json:"free"`
}

// Reserve takes slots from a depot day and places a short hold that the
// planner confirms once the route is built.
func (s *Service) Reserve(ctx context.Context, req *ReserveRequest) (*ReserveResponse, error) {
	if req.Slots <= 0 {
		return nil, fmt.Errorf("dispatch: slots must be positive")
	}
	c, err := s.adjust(ctx, capacityKey(req.DepotID, req.Day), req.ExpectedVersion, func(c *model.DepotCapacity) error {
		if c.Free() < req.Slots {
			return ErrNoCapacity
		}
		c.Reserved += req.Slots
		return nil
	})
	if err != nil {
		return nil, err
	}
	hold := newHoldID()
	val := req.DepotID + "|" + req.Day + "|" + strconv.Itoa(req.Slots)
	if err := s.kv.Put(ctx, "hold:"+hold, []byte(val), holdWindow); err != nil { // EXPECT kvttl
		return nil, err
	}
	return &ReserveResponse{HoldID: hold, Version: c.Version, Free: c.Free()}, nil
}

// ReleaseRequest gives slots back.
type ReleaseRequest struct {
	DepotID string `json:"depot"`
	Day     string `json:"day"`
	Slots   int    `json:"slots"`
}

// Release returns slots to a depot day.
func (s *Service) Release(ctx context.Context, req *ReleaseRequest) (*ReserveResponse, error) {
	c, err := s.adjust(ctx, capacityKey(req.DepotID, req.Day), 0, func(c *model.DepotCapacity) error {
		c.Reserved = max(0, c.Reserved-req.Slots)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ReserveResponse{Version: c.Version, Free: c.Free()}, nil
}

// adjust applies fn to a capacity record, checking and bumping its version.
func (s *Service) adjust(ctx context.Context, key string, expected int64, fn func(*model.DepotCapacity) error) (model.DepotCapacity, error) {
	s.capMu.Lock()
	defer s.capMu.Unlock()

	var c model.DepotCapacity
	if err := s.kv.Load(ctx, key, &c); err != nil {
		if errors.Is(err, cfkv.ErrNotFound) {
			return c, ErrUnknownDay
		}
		return c, err
	}
	if expected != 0 && c.Version != expected {
		return c, ErrVersionConflict
	}
	if err := fn(&c); err != nil {
		return c, err
	}
	c.Version++
	c.Updated = s.clock.Now()
	return c, s.kv.Save(ctx, key, c, 0) // EXPECT kvrace
}

// AttemptRequest records a failed delivery attempt.
type AttemptRequest struct {
	ParcelID string `json:"parcel"`
	Reason   string `json:"reason"`
}

// AttemptResponse tells the courier app what to do next.
type AttemptResponse struct {
	Attempts int  `json:"attempts"`
	Return   bool `json:"return_to_depot"`
}

// RecordAttempt counts a failed attempt; after maxAttempts the parcel goes
// back to the depot.
func (s *Service) RecordAttempt(ctx context.Context, req *AttemptRequest) (*AttemptResponse, error) {
	key := "attempts:" + req.ParcelID
	var rec model.AttemptRecord
	if err := s.kv.Load(ctx, key, &rec); err != nil && !errors.Is(err, cfkv.ErrNotFound) {
		return nil, err
	}
	rec.ParcelID = req.ParcelID
	rec.Count++
	rec.Last = s.clock.Now()
	rec.Reason = req.Reason
	if err := s.kv.Save(ctx, key, rec, attemptsKept); err != nil { // EXPECT kvcounter|kvrace
		return nil, err
	}
	return &AttemptResponse{Attempts: rec.Count, Return: rec.Count >= maxAttempts}, nil
}

// DeliveredRequest marks a parcel delivered.
type DeliveredRequest struct {
	ParcelID string `json:"parcel"`
	DepotID  string `json:"depot"`
}

// DeliveredResponse is empty.
type DeliveredResponse struct{}

// MarkDelivered clears the parcel's attempts and updates the public
// delivered-today figure.
func (s *Service) MarkDelivered(ctx context.Context, req *DeliveredRequest) (*DeliveredResponse, error) {
	if err := s.kv.Delete(ctx, "attempts:"+req.ParcelID); err != nil {
		return nil, err
	}
	day := s.clock.Now().Format("2006-01-02")
	s.statsMu.Lock()
	s.delivered[day]++
	n := s.delivered[day]
	s.statsMu.Unlock()
	if err := s.kv.Put(ctx, "stats:delivered:"+day, []byte(strconv.Itoa(n)), 72*time.Hour); err != nil { // EXPECT kvcounter
		return nil, err
	}
	return &DeliveredResponse{}, nil
}

// MaxStops returns the configured stop limit of a depot's routes.
func (s *Service) MaxStops(ctx context.Context, depotID string) (int, error) {
	raw, _ := s.kv.Get(ctx, "config:max-stops:"+depotID) // EXPECT kvnull
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return 0, fmt.Errorf("dispatch: max stops for %s: %w", depotID, err)
	}
	return n, nil
}

// EndShiftRequest closes a courier's shift.
type EndShiftRequest struct {
	CourierID string `json:"courier"`
}

// EndShiftResponse returns the closed shift.
type EndShiftResponse struct {
	Shift model.Shift `json:"shift"`
}

// EndShift closes the shift the courier app opened.
func (s *Service) EndShift(ctx context.Context, req *EndShiftRequest) (*EndShiftResponse, error) {
	key := "shift:" + req.CourierID
	var sh model.Shift
	if err := s.courierKV.Load(ctx, key, &sh); err != nil {
		if errors.Is(err, cfkv.ErrNotFound) {
			return nil, ErrNoShift
		}
		return nil, err
	}
	if sh.Closed {
		return &EndShiftResponse{Shift: sh}, nil
	}
	now := s.clock.Now()
	sh.Closed = true
	sh.Rev++
	if sh.OnBreak() {
		sh.Breaks[len(sh.Breaks)-1].End = now
	}
	keep := sh.EndsAt.Sub(now) // EXPECT kvttl
	b, err := sh.MarshalBinary()
	if err != nil {
		return nil, err
	}
	if err := s.courierKV.Put(ctx, key, b, keep); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &EndShiftResponse{Shift: sh}, nil
}

func newHoldID() string { return model.NewID(12) }

// refreshRecord is what a partner refresh token maps to.
type refreshRecord struct {
	PartnerID string    `json:"partner"`
	Scopes    []string  `json:"scopes"`
	ExpiresAt time.Time `json:"exp"`
}

// RefreshRequest exchanges a partner refresh token.
type RefreshRequest struct {
	Token string `json:"refresh_token"`
}

// RefreshResponse carries the replacement refresh token.
type RefreshResponse struct {
	Token     string    `json:"refresh_token"`
	PartnerID string    `json:"partner"`
	Scopes    []string  `json:"scopes"`
	Expires   time.Time `json:"expires"`
}

// Refresh rotates a partner's refresh token.
func (s *Service) Refresh(ctx context.Context, req *RefreshRequest) (*RefreshResponse, error) {
	key := "refresh:" + req.Token
	raw, err := s.kv.Get(ctx, key)
	if errors.Is(err, cfkv.ErrNotFound) {
		return nil, ErrInvalidToken
	}
	if err != nil {
		return nil, err
	}
	var rec refreshRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if now.After(rec.ExpiresAt) {
		return nil, ErrInvalidToken
	}
	rec.ExpiresAt = now.Add(refreshLifetime)
	b, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	next := model.NewID(32)
	if err := s.kv.Put(ctx, "refresh:"+next, b, refreshLifetime); err != nil { // DEBATABLE kvsession
		return nil, err
	}
	if err := s.kv.Delete(ctx, key); err != nil { // EXPECT kvsession
		return nil, err
	}
	return &RefreshResponse{Token: next, PartnerID: rec.PartnerID, Scopes: rec.Scopes, Expires: rec.ExpiresAt}, nil
}

// RevokeRequest signs a courier out everywhere.
type RevokeRequest struct {
	CourierID string `json:"courier"`
	Reason    string `json:"reason"`
}

// RevokeResponse reports how many sessions were removed.
type RevokeResponse struct {
	Sessions int `json:"sessions"`
}

// RevokeCourier removes every session of a courier and records the
// revocation for the Worker.
func (s *Service) RevokeCourier(ctx context.Context, req *RevokeRequest) (*RevokeResponse, error) {
	prefix := "sess-idx:" + req.CourierID + ":"
	keys, err := s.courierKV.Keys(ctx, prefix)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, k := range keys {
		id := k[len(prefix):]
		if err := s.courierKV.Delete(ctx, "sess:"+id); err != nil { // EXPECT kvsession
			return nil, err
		}
		if err := s.courierKV.Delete(ctx, k); err != nil { // DEBATABLE kvsession
			return nil, err
		}
		n++
	}
	entry, _ := json.Marshal(map[string]any{"at": s.clock.Now(), "reason": req.Reason})
	if err := s.courierKV.Put(ctx, "revoked:"+req.CourierID, entry, 24*time.Hour); err != nil { // EXPECT kvsession
		return nil, err
	}
	return &RevokeResponse{Sessions: n}, nil
}
