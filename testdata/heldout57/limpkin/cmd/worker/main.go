//go:build js && wasm

// Command worker is the edge Worker behind lockers.limpkin.app: courier and
// customer sessions, PIN pickup, door holds and door status.
package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/limpkin-lockers/limpkin/internal/edge/doors"
	"github.com/limpkin-lockers/limpkin/internal/edge/edgekv"
	"github.com/limpkin-lockers/limpkin/internal/edge/pickup"
	"github.com/limpkin-lockers/limpkin/internal/edge/reserve"
	"github.com/limpkin-lockers/limpkin/internal/edge/session"
	"github.com/limpkin-lockers/limpkin/internal/edge/tally"
	"github.com/limpkin-lockers/limpkin/internal/kvx"
)

const (
	bindLockers  = "LOCKERS"
	bindAuth     = "AUTH"
	doorsPerSite = 48
)

var counts = tally.NewCounts()

func stores(ctx context.Context) (lockers, auth *edgekv.Store, err error) {
	if lockers, err = edgekv.Open(ctx, bindLockers); err != nil {
		return nil, nil, err
	}
	auth, err = edgekv.Open(ctx, bindAuth)
	return lockers, auth, err
}

func withStores(fn func(w http.ResponseWriter, r *http.Request, lockers, auth *edgekv.Store)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		lockers, auth, err := stores(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fn(w, r, lockers, auth)
	}
}

func main() {
	mux := http.NewServeMux()

	mux.HandleFunc("POST /courier/login", withStores(courierLogin))
	mux.HandleFunc("POST /logout", withStores(func(w http.ResponseWriter, r *http.Request, _, auth *edgekv.Store) {
		if err := session.End(auth, w, r); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	mux.HandleFunc("POST /magic", withStores(issueMagic))
	mux.HandleFunc("GET /magic/{token}", withStores(redeemMagic))
	mux.HandleFunc("GET /partner/oauth/start", withStores(oauthStart))
	mux.HandleFunc("GET /partner/oauth/callback", withStores(oauthCallback))

	mux.HandleFunc("POST /sites/{site}/pickup", withStores(redeemPIN))
	mux.HandleFunc("POST /sites/{site}/holds", withStores(claimHold))
	mux.HandleFunc("POST /sites/{site}/route/close", withStores(closeRoute))
	mux.HandleFunc("GET /carriers/{carrier}", withStores(carrierConfig))

	mux.HandleFunc("/sites/{site}/doors/", func(w http.ResponseWriter, r *http.Request) {
		lockers, err := edgekv.Open(r.Context(), bindLockers)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		svc := &doors.Service{Store: lockers, Doors: doorsPerSite}
		sub := http.NewServeMux()
		sub.HandleFunc("GET /sites/{site}/doors/", svc.Snapshot)
		sub.HandleFunc("GET /sites/{site}/doors/{door}", svc.Door)
		sub.HandleFunc("PUT /sites/{site}/doors/{door}", svc.Publish)
		sub.HandleFunc("GET /sites/{site}/doors/{door}/wait", svc.Wait)
		sub.HandleFunc("GET /sites/{site}/doors/faults", svc.Faults)
		sub.ServeHTTP(w, r)
	})
	mux.HandleFunc("GET /sites/{site}/events", withStores(func(w http.ResponseWriter, r *http.Request, lockers, _ *edgekv.Store) {
		counts.ScreenView(r.PathValue("site"))
		(&doors.Service{Store: lockers, Doors: doorsPerSite}).Events(w, r)
	}))
	mux.HandleFunc("GET /sites/{site}/rev", withStores(func(w http.ResponseWriter, r *http.Request, lockers, _ *edgekv.Store) {
		(&doors.Service{Store: lockers, Doors: doorsPerSite}).WaitRev(w, r)
	}))

	cron.ScheduleTask(sweep)
	workers.Serve(mux)
}

// courierReq is the per-request state of an authenticated courier call.
type courierReq struct {
	session.Handler
	lockers *edgekv.Store
}

func newCourierReq(r *http.Request, lockers, auth *edgekv.Store) (*courierReq, error) {
	cr := &courierReq{lockers: lockers}
	cr.Bind(auth)
	if err := cr.Load(r); err != nil {
		return nil, err
	}
	if cr.Rec.Role != session.Courier {
		return nil, session.ErrNoSession
	}
	cr.Touch(time.Now())
	return cr, nil
}

func siteOf(r *http.Request) pickup.Site {
	loc, err := time.LoadLocation(r.Header.Get("X-Site-TZ"))
	if err != nil {
		loc = time.UTC
	}
	hour, _ := strconv.Atoi(r.Header.Get("X-Site-Close"))
	return pickup.Site{ID: r.PathValue("site"), Location: loc, OpenUntil: hour}
}

func redeemPIN(w http.ResponseWriter, r *http.Request, lockers, _ *edgekv.Store) {
	var body struct {
		Door int    `json:"door"`
		PIN  string `json:"pin"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	desk := &pickup.Desk{NS: lockers.NS()}
	g, err := desk.Redeem(siteOf(r), body.Door, body.PIN)
	switch err {
	case nil:
	case pickup.ErrBadPIN:
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	case pickup.ErrLocked:
		http.Error(w, err.Error(), http.StatusTooManyRequests)
		return
	default:
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = json.NewEncoder(w).Encode(g)
}

func claimHold(w http.ResponseWriter, r *http.Request, lockers, auth *edgekv.Store) {
	cr, err := newCourierReq(r, lockers, auth)
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	defer func() { _ = cr.Save() }()
	var body struct {
		Door  int          `json:"door"`
		Order string       `json:"order"`
		Kind  reserve.Kind `json:"kind"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	desk := &reserve.Desk{Store: lockers, Policy: reserve.Policy{Location: time.UTC, Base: 30 * time.Minute, Factor: 1.0}}
	h, err := desk.Claim(r.PathValue("site"), body.Door, body.Order, kvx.FirstNonZero(body.Kind, reserve.KindStandard))
	if err == reserve.ErrTaken {
		w.WriteHeader(http.StatusConflict)
		_ = json.NewEncoder(w).Encode(h)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	counts.Dropped(h.Site)
	cloudflare.WaitUntil(r.Context(), func() {
		_ = desk.AddToManifest(h)
		_ = counts.Flush(lockers.NS(), time.Now())
	})
	_ = json.NewEncoder(w).Encode(h)
}

func closeRoute(w http.ResponseWriter, r *http.Request, lockers, auth *edgekv.Store) {
	cr, err := newCourierReq(r, lockers, auth)
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	defer func() { _ = cr.Save() }()
	var holds []reserve.Hold
	if err := json.NewDecoder(r.Body).Decode(&holds); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	desk := &reserve.Desk{Store: lockers}
	b := desk.NewBatch(r.PathValue("site"))
	for i := range holds {
		h := &holds[i]
		h.Courier = cr.Rec.Subject
		b.Add(h)
	}
	if err := b.Flush(); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	cr.Assign(r.PathValue("site"), nil)
	w.WriteHeader(http.StatusNoContent)
}

// carrierConfig serves the configuration the backend publishes per carrier.
func carrierConfig(w http.ResponseWriter, r *http.Request, lockers, _ *edgekv.Store) {
	id := r.PathValue("carrier")
	raw, ok, err := lockers.LookupCached("carrier:"+id, 10*time.Minute)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	_ = lockers.PutFor("edge:carrier-config:last-read", id+" "+time.Now().UTC().Format(time.RFC3339), 24*time.Hour) // EXPECT kvhotkey
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(raw))
}
