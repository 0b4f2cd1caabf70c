//go:build js && wasm

// Command edge is the box-office Worker.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/boxoffice/knot/internal/checkout"
	"github.com/boxoffice/knot/internal/clock"
	"github.com/boxoffice/knot/internal/door"
	"github.com/boxoffice/knot/internal/edgekv"
	"github.com/boxoffice/knot/internal/feeds"
	"github.com/boxoffice/knot/internal/holds"
	"github.com/boxoffice/knot/internal/staff"
)

// origin is the box-office API behind the Worker.
type origin struct{ base string }

func (o origin) call(ctx context.Context, method, path string, in, out any) error {
	var body strings.Builder
	if in != nil {
		_ = json.NewEncoder(&body).Encode(in)
	}
	req, err := http.NewRequestWithContext(ctx, method, o.base+path, strings.NewReader(body.String()))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("origin %s: %s", path, resp.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (o origin) Verify(ctx context.Context, email, password string) (m staff.Member, err error) {
	if err := o.call(ctx, http.MethodPost, "/staff/verify", map[string]string{"email": email, "password": password}, &m); err != nil {
		return m, staff.ErrBadLogin
	}
	return m, nil
}

func (o origin) SetPassword(ctx context.Context, staffID, password string) error {
	return o.call(ctx, http.MethodPost, "/staff/password", map[string]string{"staff": staffID, "password": password}, nil)
}

func (o origin) DoorsClose(ctx context.Context, eventID string) (time.Time, error) {
	var out struct {
		Close time.Time `json:"close"`
	}
	return out.Close, o.call(ctx, http.MethodGet, "/events/"+eventID+"/doors", nil, &out)
}

func (o origin) Charge(ctx context.Context, cart checkout.Cart, token string) (string, error) {
	var out struct {
		OrderID string `json:"order_id"`
	}
	err := o.call(ctx, http.MethodPost, "/payments", map[string]any{"cart": cart.ID, "cents": cart.Total(), "token": token}, &out)
	return out.OrderID, err
}

type app struct {
	holds    *holds.Service
	carts    *checkout.Carts
	checkout *checkout.Handler
	door     *door.Handler
	staff    *staff.Handler
	feeds    *feeds.Cache
	refresh  *feeds.Refresher
}

func build() (*app, error) {
	c := clock.System{}
	o := origin{base: cloudflare.Getenv("ORIGIN_URL")}
	st := map[edgekv.Namespace]*edgekv.Store{}
	for _, n := range []edgekv.Namespace{edgekv.Holds, edgekv.Sessions, edgekv.Feeds, edgekv.Doors} {
		s, err := edgekv.Open(string(n), c)
		if err != nil {
			return nil, err
		}
		st[n] = s
	}
	doorsNS := st[edgekv.Doors].Namespace()
	a := &app{
		holds: holds.New(st[edgekv.Holds]),
		carts: checkout.NewCarts(st[edgekv.Sessions]),
		door:  &door.Handler{NS: doorsNS, Actor: door.Start(doorsNS)},
		staff: &staff.Handler{Svc: staff.New(st[edgekv.Sessions], o), Pins: doorsNS},
		feeds: feeds.NewCache(st[edgekv.Feeds], c),
	}
	a.checkout = &checkout.Handler{
		Carts:    a.carts,
		Recorder: checkout.NewRecorder(st[edgekv.Holds], st[edgekv.Doors], st[edgekv.Holds]),
		Payments: o,
		Schedule: o,
		Status:   st[edgekv.Holds],
	}
	a.refresh = &feeds.Refresher{Cache: a.feeds, NS: st[edgekv.Feeds].Namespace()}
	return a, nil
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/door/"):
		a.door.ServeHTTP(w, r)
	case strings.HasPrefix(p, "/staff/"):
		a.staff.ServeHTTP(w, r)
	case p == "/checkout":
		a.checkout.ServeHTTP(w, r)
	case p == "/holds" && r.Method == http.MethodPost:
		a.placeHolds(w, r)
	case p == "/holds":
		a.listHolds(w, r)
	case strings.HasPrefix(p, "/feed/"):
		a.feed(w, r, strings.TrimPrefix(p, "/feed/"))
	case p == "/ops/keys" && r.Header.Get("X-Ops-Token") == cloudflare.Getenv("OPS_TOKEN"):
		names, err := edgekv.Prefix(r.URL.Query().Get("prefix")).Names(a.refresh.NS)
		reply(w, names, err)
	default:
		http.NotFound(w, r)
	}
}

func reply(w http.ResponseWriter, v any, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (a *app) placeHolds(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Event string   `json:"event"`
		Cart  string   `json:"cart"`
		Seats []string `json:"seats"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	until := time.Now().Add(holds.HoldWindow)
	if cart, err := a.carts.Get(r.Context(), req.Cart); err == nil {
		if t, ok := cart.HoldsUntil(); ok {
			until = t
		}
	}
	hs, err := a.holds.Place(r.Context(), req.Event, req.Cart, req.Seats, until)
	if errors.Is(err, holds.ErrSeatTaken) {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	if err != nil {
		reply(w, nil, err)
		return
	}
	items := make([]checkout.Item, 0, len(hs))
	for _, h := range hs {
		items = append(items, checkout.Item{EventID: h.EventID, Seat: h.Seat, HoldID: h.HoldID, Expires: h.ExpiresAt})
	}
	cart, err := a.carts.Add(r.Context(), req.Cart, items...)
	reply(w, cart, err)
}

func (a *app) listHolds(w http.ResponseWriter, r *http.Request) {
	event := r.URL.Query().Get("event")
	if cursor, paged := r.URL.Query()["cursor"]; paged {
		seats, next, err := a.holds.HeldSeats(event, cursor[0])
		reply(w, map[string]any{"seats": seats, "cursor": next}, err)
		return
	}
	hs, err := a.holds.Held(r.Context(), event)
	reply(w, hs, err)
}

func (a *app) feed(w http.ResponseWriter, r *http.Request, id string) {
	ps, err := feeds.Promoters(a.refresh.NS)
	if err != nil {
		reply(w, nil, err)
		return
	}
	for _, p := range ps {
		if p.ID != id {
			continue
		}
		body, err := a.feeds.Feed(r.Context(), p)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		a.feeds.CountHit(r.Context(), r.Header.Get("CF-IPCountry"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
		return
	}
	http.NotFound(w, r)
}

func main() {
	a, err := build()
	if err != nil {
		log.Fatal(err)
	}
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, 25*time.Second)
		defer cancel()
		if err := a.refresh.Tick(ctx); err != nil {
			return err
		}
		_, err := a.holds.Sweep(ctx, strings.Split(cloudflare.Getenv("ACTIVE_EVENTS"), ","))
		return err
	})
	workers.Serve(a)
}
