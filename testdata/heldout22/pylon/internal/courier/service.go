package courier

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/pylon/internal/cache"
	"example.com/pylon/internal/repo"
	"example.com/pylon/internal/storage"
)

// Planner computes routes; it is the routing provider's API.
type Planner func(ctx context.Context, routeID string) (Route, error)

// Service is the courier backend.
type Service struct {
	client    *cloudflare.Client
	accountID string
	nsID      string
	routes    *cache.ReadThrough[Route]
	board     storage.Writer
	now       func() time.Time
}

// NewService wires the courier service. Routes are recomputed by the
// planner at most every 15 minutes per route.
func NewService(client *cloudflare.Client, accountID, nsID string, store storage.ReadWriter, plan Planner) *Service {
	codec := repo.CSV[Route]{FromRecords: RouteFromRecords}
	return &Service{
		client:    client,
		accountID: accountID,
		nsID:      nsID,
		routes:    cache.New(store, "route:", 15*time.Minute, codec, cache.Loader[Route](plan)),
		board:     store,
		now:       time.Now,
	}
}

// ErrNoETA is returned when no ETA has been published for a stop.
var ErrNoETA = errors.New("courier: no ETA for stop")

func (s *Service) put(ctx context.Context, key, value string, p kv.NamespaceValueUpdateParams) error {
	p.AccountID = cloudflare.F(s.accountID)
	p.Value = cloudflare.F(value)
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, key, p)
	return err
}

func (s *Service) getString(ctx context.Context, key string) (string, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.nsID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.accountID)})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return "", storage.ErrNotFound
		}
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

// Route returns the (cached) route.
func (s *Service) Route(ctx context.Context, routeID string) (Route, error) {
	return s.routes.Get(ctx, routeID)
}

// Position is a courier's last GPS fix.
type Position struct {
	CourierID string
	Lat, Lon  float64
	At        time.Time
}

// Ping records a courier's position. The app sends one fix every 15 s; a
// courier whose fixes stop disappears from the map after two minutes.
func (s *Service) Ping(ctx context.Context, p Position) error {
	val := fmt.Sprintf("%.6f,%.6f,%d", p.Lat, p.Lon, p.At.Unix())
	if err := s.put(ctx, "pos:"+p.CourierID, val, kv.NamespaceValueUpdateParams{
		ExpirationTTL: cloudflare.F(120.0),
	}); err != nil {
		return err
	}
	summary := fmt.Sprintf("%s@%s", p.CourierID, p.At.UTC().Format(time.RFC3339))
	return s.board.Put(ctx, "dispatch:board:last-fix", []byte(summary), storage.PutOptions{}) // EXPECT kvhotkey
}

// MarkDelivered records a delivered stop on the route's delivery list.
func (s *Service) MarkDelivered(ctx context.Context, routeID, stopID string) error {
	key := "route:" + routeID + ":delivered"
	done, err := s.getString(ctx, key)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if done != "" {
		done += ","
	}
	done += stopID
	return s.put(ctx, key, done, kv.NamespaceValueUpdateParams{}) // EXPECT kvrace
}

// HoldHandoff reserves a hand-over at a site so another courier does not
// collect the same bag while the first is parking.
func (s *Service) HoldHandoff(ctx context.Context, site, courierID string) error {
	return s.put(ctx, "handoff:"+site, courierID, kv.NamespaceValueUpdateParams{Expiration: cloudflare.F(float64(s.now().Add(30 * time.Second).Unix()))}) // EXPECT kvttl
}

// slotHold is how long a pickup slot stays reserved before the dispatcher
// confirms it.
const slotHold = 10 * time.Minute

// ReserveSlot marks a pickup slot as offered to a courier.
func (s *Service) ReserveSlot(ctx context.Context, slotID, courierID string) error {
	return s.put(ctx, "slot:"+slotID, courierID, kv.NamespaceValueUpdateParams{ExpirationTTL: cloudflare.F(float64(slotHold))}) // EXPECT kvttl
}

// OfferSlot is the dispatcher-side variant with the hold expressed in
// seconds as the API expects.
func (s *Service) OfferSlot(ctx context.Context, slotID, courierID string) error {
	return s.put(ctx, "offer:"+slotID, courierID, kv.NamespaceValueUpdateParams{
		ExpirationTTL: cloudflare.F(slotHold.Seconds()),
	})
}

// PublishETA stores the planner's ETA for a stop until shortly after the
// stop's window.
func (s *Service) PublishETA(ctx context.Context, stop Stop, eta time.Time) error {
	exp := stop.Window.Add(time.Hour)
	if floor := s.now().Add(2 * time.Minute); exp.Before(floor) {
		exp = floor
	}
	return s.put(ctx, "eta:"+stop.ID, strconv.FormatInt(eta.Unix(), 10), kv.NamespaceValueUpdateParams{
		Expiration: cloudflare.F(float64(exp.Unix())),
	})
}

// ETA returns the published ETA for a stop.
func (s *Service) ETA(ctx context.Context, stopID string) (time.Time, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.nsID, "eta:"+stopID, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.accountID)})
	if err != nil {
		return time.Time{}, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return time.Time{}, ErrNoETA
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return time.Time{}, err
	}
	sec, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(sec, 0), nil
}
