// Package holds places and releases short seat holds while a fan checks out.
// Holds live in KV so the seat map at the edge can grey seats out without a
// round trip to Postgres.
package holds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/go-kit/kit/endpoint"

	"github.com/boxoffice/crossbill/internal/edgekv"
	"github.com/boxoffice/crossbill/internal/kitmw"
	"github.com/boxoffice/crossbill/internal/telemetry"
)

// holdWindow is how long a fan may sit on a seat before checkout must finish.
const holdWindow = 8 * time.Minute

// ErrSeatTaken is returned when another fan already holds the seat.
var ErrSeatTaken = errors.New("seat already held")

// Hold is the projection the edge reads under "hold:<event>:<seat>".
type Hold struct {
	EventID   string    `json:"event_id"`
	Seat      string    `json:"seat"`
	FanID     string    `json:"fan_id"`
	CartID    string    `json:"cart_id"`
	ExpiresAt time.Time `json:"expires_at"`
	Extended  int       `json:"extended"`
}

func holdKey(eventID, seat string) string { return "hold:" + eventID + ":" + seat }

// HoldSeatsRequest asks for a set of seats for one cart.
type HoldSeatsRequest struct {
	EventID string   `json:"event_id"`
	Seats   []string `json:"seats"`
	CartID  string   `json:"cart_id"`
}

// HoldSeatsResponse lists what was held.
type HoldSeatsResponse struct {
	Held      []string  `json:"held"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ExtendHoldRequest asks for more time on one seat.
type ExtendHoldRequest struct {
	EventID string `json:"event_id"`
	Seat    string `json:"seat"`
}

// ReleaseRequest gives seats back.
type ReleaseRequest struct {
	EventID string   `json:"event_id"`
	Seats   []string `json:"seats"`
}

// WaitlistRequest adds the signed-in fan to a sold-out event's waitlist.
type WaitlistRequest struct {
	EventID string `json:"event_id"`
}

// Endpoints bundles the holds endpoints for the transport.
type Endpoints struct {
	HoldSeats endpoint.Endpoint
	Extend    endpoint.Endpoint
	Release   endpoint.Endpoint
	Waitlist  endpoint.Endpoint
	Reserve   endpoint.Endpoint
}

// MakeEndpoints wires the endpoints with the shared middlewares.
func MakeEndpoints(seats, sessions *edgekv.Store) Endpoints {
	auth := kitmw.Authenticate(sessions)
	return Endpoints{
		HoldSeats: auth(kitmw.Idempotent(seats, "holds")(makeHoldSeats(seats))),
		Extend:    kitmw.AuthenticateSliding(sessions)(makeExtend(seats)),
		Release:   auth(makeRelease(seats)),
		Waitlist:  auth(makeWaitlist(seats)),
		Reserve:   auth(makeReserve(seats)),
	}
}

func makeHoldSeats(seats *edgekv.Store) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(HoldSeatsRequest)
		fan, _ := kitmw.Fan(ctx)
		exp := time.Now().Add(holdWindow)
		held := make([]string, 0, len(req.Seats))
		for _, seat := range req.Seats {
			key := holdKey(req.EventID, seat)
			if _, err := seats.Get(ctx, key); err == nil {
				return nil, fmt.Errorf("%s: %w", seat, ErrSeatTaken)
			} else if !errors.Is(err, edgekv.ErrNotFound) {
				return nil, err
			}
			buf, _ := json.Marshal(Hold{EventID: req.EventID, Seat: seat, FanID: fan.FanID, CartID: req.CartID, ExpiresAt: exp})
			if err := seats.PutUntil(ctx, key, buf, exp, nil); err != nil { // EXPECT kvrace
				return nil, err
			}
			held = append(held, seat)
			telemetry.HoldsPlaced.WithLabelValues(req.EventID).Inc()
		}
		return HoldSeatsResponse{Held: held, ExpiresAt: exp}, nil
	}
}

func makeExtend(seats *edgekv.Store) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req, ok := request.(ExtendHoldRequest)
		if !ok {
			return nil, fmt.Errorf("holds: unexpected request %T", request)
		}
		key := holdKey(req.EventID, req.Seat)
		raw, err := seats.Get(ctx, key)
		if err != nil {
			return nil, err
		}
		var h Hold
		if err := json.Unmarshal(raw, &h); err != nil {
			return nil, err
		}
		if h.Extended >= 2 {
			return h, nil
		}
		h.Extended++
		h.ExpiresAt = h.ExpiresAt.Add(holdWindow / 2)
		buf, _ := json.Marshal(h)
		if err := seats.Put(ctx, key, buf, holdWindow); err != nil { // EXPECT kvrace
			return nil, err
		}
		return h, nil
	}
}

func makeRelease(seats *edgekv.Store) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(ReleaseRequest)
		var errs []error
		for _, seat := range req.Seats {
			errs = append(errs, seats.Delete(ctx, holdKey(req.EventID, seat)))
		}
		return struct{}{}, errors.Join(errs...)
	}
}

func makeWaitlist(seats *edgekv.Store) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(WaitlistRequest)
		fan, _ := kitmw.Fan(ctx)
		key := "waitlist:" + req.EventID
		old, err := seats.Get(ctx, key)
		if err != nil && !errors.Is(err, edgekv.ErrNotFound) {
			return nil, err
		}
		if strings.Contains(string(old), fan.FanID) {
			return struct{}{}, nil
		}
		list := string(old)
		if list != "" {
			list += ","
		}
		list += fan.FanID
		return struct{}{}, seats.Put(ctx, key, []byte(list), 0) // EXPECT kvrace
	}
}

// makeReserve writes the hold directly through the SDK so that the seat map
// entry carries metadata the edge can render without reading the value.
func makeReserve(seats *edgekv.Store) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(HoldSeatsRequest)
		fan, _ := kitmw.Fan(ctx)
		for _, seat := range req.Seats {
			buf, _ := json.Marshal(Hold{EventID: req.EventID, Seat: seat, FanID: fan.FanID, CartID: req.CartID})
			_, err := seats.API.KV.Namespaces.Values.Update(ctx, seats.NamespaceID, holdKey(req.EventID, seat), kv.NamespaceValueUpdateParams{
				AccountID:     cloudflare.F(seats.AccountID),
				Value:         cloudflare.F(string(buf)),
				ExpirationTTL: cloudflare.F(float64(holdWindow)), // EXPECT kvttl
				Metadata:      cloudflare.F[any](map[string]string{"state": "held", "cart": req.CartID}),
			})
			if err != nil {
				return nil, err
			}
		}
		return HoldSeatsResponse{Held: req.Seats}, nil
	}
}
