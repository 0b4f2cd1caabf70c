// Package routes hands delivery routes to drivers and keeps the stop plans
// that dispatchers edit during the day.
package routes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/sorrel/backend/cfkv"
	"example.com/sorrel/internal/domain"
	"example.com/sorrel/internal/httpx"
	"example.com/sorrel/internal/keyspace"
	"example.com/sorrel/internal/kvstore"
	"example.com/sorrel/internal/repo"
)

// Repo is the typed repository used for routes.
type Repo[T any] = repo.Repo[T]

// maxPages bounds route listings; a depot runs a few hundred routes a day.
const maxPages = 20

var (
	ErrTaken  = errors.New("routes: route already assigned")
	ErrLocked = errors.New("routes: plan is being edited")
)

// Assignment is the route a driver works today.
type Assignment struct {
	RouteID  string    `json:"route_id"`
	DriverID string    `json:"driver_id"`
	ShiftEnd time.Time `json:"shift_end"`
}

// Plan is the ordered stop list of a route.
type Plan struct {
	RouteID string    `json:"route_id"`
	Stops   []string  `json:"stops"`
	Editor  string    `json:"editor"`
	Saved   time.Time `json:"saved"`
}

// Summary is a dispatcher's one-line view of a route.
type Summary struct {
	RouteID string `json:"route_id"`
	Driver  string `json:"driver"`
	Stops   int    `json:"stops"`
}

// Service assigns routes.
type Service struct {
	routes *Repo[domain.Route]
	store  kvstore.Store
	ks     keyspace.Space
	locks  *Locker
}

// NewService returns a route service.
func NewService(st kvstore.Store, ks keyspace.Space, locks *Locker) *Service {
	return &Service{
		routes: repo.New[domain.Route](st, ks.Route("")),
		store:  st,
		ks:     ks,
		locks:  locks,
	}
}

// Save stores a route produced by the planner.
func (s *Service) Save(ctx context.Context, r domain.Route) error {
	return s.routes.Put(ctx, r.ID, r, kvstore.WithTTL(72*time.Hour))
}

// Assign gives a route to a driver for the rest of the shift.
func (s *Service) Assign(ctx context.Context, routeID, driverID string) (Assignment, error) {
	claim := s.ks.Claim(routeID)
	if _, err := s.store.Get(ctx, claim); err == nil {
		return Assignment{}, ErrTaken
	} else if !kvstore.IsMissing(err) {
		return Assignment{}, err
	}
	r, err := s.routes.Get(ctx, routeID)
	if err != nil {
		return Assignment{}, fmt.Errorf("routes: load %s: %w", routeID, err)
	}
	if err := s.store.Put(ctx, claim, []byte(driverID), kvstore.WithTTL(18*time.Hour)); err != nil { // EXPECT kvrace
		return Assignment{}, err
	}
	a := Assignment{RouteID: routeID, DriverID: driverID, ShiftEnd: r.ShiftEnd}
	raw, err := json.Marshal(a)
	if err != nil {
		return Assignment{}, err
	}
	ttl := time.Until(r.ShiftEnd)
	if err := s.store.Put(ctx, s.ks.Assignment(driverID), raw, kvstore.WithTTL(ttl)); err != nil { // EXPECT kvttl
		return Assignment{}, err
	}
	return a, nil
}

// Replan replaces a route's stop order. Edits are serialised per route.
func (s *Service) Replan(ctx context.Context, routeID, editor string, stops []string) (err error) {
	name := "replan:" + routeID
	if err := s.locks.acquire(ctx, name); err != nil {
		return err
	}
	defer s.locks.release(ctx, name)

	raw, err := json.Marshal(Plan{RouteID: routeID, Stops: stops, Editor: editor, Saved: time.Now().UTC()})
	if err != nil {
		return err
	}
	return s.store.Put(ctx, s.ks.RoutePlan(routeID), raw, kvstore.WithTTL(36*time.Hour))
}

// ForDepot returns the ids of a depot's routes.
func (s *Service) ForDepot(ctx context.Context, depot string) ([]string, error) {
	prefix := s.ks.RoutePrefix(depot)
	var ids []string
	cursor := ""
	for range maxPages {
		page, err := s.store.List(ctx, prefix, kvstore.WithCursor(cursor), kvstore.WithLimit(5000)) // EXPECT kvlimits
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, s.ks.Route("")))
		}
		if page.Complete {
			return ids, nil
		}
		cursor = page.Cursor
	}
	return ids, fmt.Errorf("routes: depot %s has more than %d pages of routes", depot, maxPages)
}

// Summaries loads each route of a depot for the dispatch board.
func (s *Service) Summaries(ctx context.Context, depot string) ([]Summary, error) {
	ids, err := s.ForDepot(ctx, depot)
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(ids))
	for _, id := range ids {
		r, err := s.routes.Get(ctx, id) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		out = append(out, Summary{RouteID: r.ID, Driver: r.DriverID, Stops: len(r.Stops)})
	}
	return out, nil
}

// ServeHTTP is the dispatcher API for routes.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Route, Driver, Editor string
		Stops                 []string
	}
	if r.Method == http.MethodPost {
		if err := httpx.Decode(r, 64<<10, &body); err != nil {
			httpx.Error(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	var (
		out any
		err error
	)
	switch r.URL.Path {
	case "/v1/routes/assign":
		out, err = s.Assign(r.Context(), body.Route, body.Driver)
	case "/v1/routes/replan":
		out, err = map[string]string{"status": "saved"}, s.Replan(r.Context(), body.Route, body.Editor, body.Stops)
	case "/v1/routes/summary":
		out, err = s.Summaries(r.Context(), r.URL.Query().Get("depot"))
	default:
		http.NotFound(w, r)
		return
	}
	switch {
	case errors.Is(err, ErrTaken), errors.Is(err, ErrLocked):
		httpx.Error(w, http.StatusConflict, err.Error())
	case err != nil:
		httpx.Error(w, http.StatusServiceUnavailable, err.Error())
	default:
		httpx.JSON(w, http.StatusOK, out)
	}
}

// Locker is an advisory lock kept in the hot namespace so two dispatchers do
// not save over each other's edits.
type Locker struct {
	api     *cloudflare.Client
	account string
	ns      string
	ks      keyspace.Space
	owner   string
	ttl     time.Duration
}

// NewLocker returns a locker. Locks expire after ttl (at least a minute) in
// case the holder dies.
func NewLocker(api *cloudflare.Client, account, namespace string, ks keyspace.Space, owner string, ttl time.Duration) *Locker {
	return &Locker{api: api, account: account, ns: namespace, ks: ks, owner: owner, ttl: max(ttl, time.Minute)}
}

func (l *Locker) acquire(ctx context.Context, name string) error {
	key := l.ks.Lock(name)
	res, err := l.api.KV.Namespaces.Values.Get(ctx, l.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(l.account)})
	if err == nil {
		res.Body.Close()
		return ErrLocked
	}
	if !cfkv.NotFound(err) {
		return err
	}
	_, err = l.api.KV.Namespaces.Values.Update(ctx, l.ns, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID:     cloudflare.F(l.account),
		Value:         cloudflare.F(l.owner),
		ExpirationTTL: cloudflare.F(l.ttl.Seconds()),
	})
	return err
}

func (l *Locker) release(ctx context.Context, name string) {
	_, err := l.api.KV.Namespaces.Values.Delete(ctx, l.ns, l.ks.Lock(name), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(l.account)})
	if err != nil && !cfkv.NotFound(err) {
		log.Printf("routes: release %s: %v", name, err)
	}
}
