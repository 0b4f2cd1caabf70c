//go:build js && wasm

// Command edge is the Crake fleet Worker: rider sign-in, unlocks, rides,
// geofences and the scheduled sweeps.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/fetch"

	"github.com/crake-mobility/crake/internal/dbgen"
	"github.com/crake-mobility/crake/internal/fleet"
	"github.com/crake-mobility/crake/internal/geofence"
	"github.com/crake-mobility/crake/internal/kvstore"
	"github.com/crake-mobility/crake/internal/rider"
	"github.com/crake-mobility/crake/internal/rides"
	"github.com/crake-mobility/crake/internal/sweep"
	"github.com/crake-mobility/crake/internal/unlock"
)

const (
	fleetBinding   = "FLEET_KV"
	reportsBinding = "REPORTS_KV"
)

// services holds everything a request or a scheduled run needs. It is
// built on the first invocation, once the bindings are reachable.
type services struct {
	fleet    *kvstore.Store
	reports  *kvstore.Store
	queries  *dbgen.Queries
	zones    *geofence.Cache
	unlock   *unlock.Service
	rides    *rides.Service
	signin   *rider.Handlers
	accounts *rider.Accounts
	sweep    *sweep.Job
	telem    *sweep.Telemetry
	nightly  *sweep.Nightly
}

var (
	mu  sync.Mutex
	svc *services
)

func bind() (*services, error) {
	mu.Lock()
	defer mu.Unlock()
	if svc != nil {
		return svc, nil
	}
	fleetStore, err := kvstore.Open(fleetBinding)
	if err != nil {
		return nil, err
	}
	reportStore, err := kvstore.Open(reportsBinding)
	if err != nil {
		return nil, err
	}
	kvstore.SetDefault(fleetStore)

	q := dbgen.New(kvstore.NewAdapter(fleetStore, reportStore))
	zones := geofence.NewCache(fleetStore, q, cloudflare.Getenv("FLEET_API"))
	s := &services{
		fleet:    fleetStore,
		reports:  reportStore,
		queries:  q,
		zones:    zones,
		unlock:   unlock.NewService(unlock.NewTokenStore(fleetStore.Namespace()), fleetStore),
		signin:   &rider.Handlers{OTP: rider.NewOTPStore(fleetStore.Namespace()), Queries: q, SMS: sendSMS},
		accounts: &rider.Accounts{Queries: q},
		sweep:    &sweep.Job{Store: fleetStore, Queries: q},
		telem:    &sweep.Telemetry{Store: fleetStore, Queries: q},
		nightly:  &sweep.Nightly{Store: reportStore},
	}
	s.rides = &rides.Service{
		Store:   fleetStore,
		Queries: q,
		InZone: func(ctx context.Context, p fleet.Point) (bool, error) {
			var l geofence.Lookup
			if err := zones.ZonesAt(ctx, "default", p, &l); err != nil {
				return false, err
			}
			return len(l.Hits) > 0, nil
		},
	}
	svc = s
	return s, nil
}

func sendSMS(ctx context.Context, phone, body string) error {
	payload, _ := json.Marshal(map[string]string{"to": phone, "body": body})
	req, err := fetch.NewRequest(ctx, http.MethodPost, cloudflare.Getenv("SMS_GATEWAY"), bytes.NewReader(payload))
	if err != nil {
		return err
	}
	resp, err := fetch.NewClient().Do(req, nil)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func routes(s *services) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/otp/request", s.signin.RequestCode)
	mux.HandleFunc("POST /v1/otp/verify", s.signin.VerifyCode)
	mux.HandleFunc("POST /v1/session/refresh", rider.HandleRefresh)
	mux.HandleFunc("POST /v1/session/logout", rider.HandleLogout)
	mux.HandleFunc("GET /v1/sessions", rider.HandleSessions)
	mux.HandleFunc("GET /v1/me", s.accounts.GetProfile)
	mux.HandleFunc("PUT /v1/me", s.accounts.UpdateProfile)
	mux.HandleFunc("POST /v1/me/handle", s.accounts.ClaimHandle)
	mux.HandleFunc("GET /v1/handles", s.accounts.ResolveHandle)
	mux.HandleFunc("POST /v1/unlock", s.unlock.Request)
	mux.HandleFunc("POST /v1/unlock/redeem", s.unlock.Redeem)
	mux.HandleFunc("POST /v1/unlock/release", s.unlock.Release)
	mux.HandleFunc("POST /v1/rides", s.rides.Start)
	mux.HandleFunc("POST /v1/rides/end", s.rides.End)
	mux.HandleFunc("POST /v1/rides/pause", s.rides.Pause)
	mux.HandleFunc("POST /v1/reserve", s.rides.Reserve)
	mux.HandleFunc("GET /v1/receipt", s.rides.Receipt)
	mux.HandleFunc("GET /v1/zones/here", func(w http.ResponseWriter, r *http.Request) {
		var p fleet.Point
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		var l geofence.Lookup
		if err := s.zones.ZonesAt(r.Context(), r.URL.Query().Get("city"), p, &l); err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(l)
	})
	mux.HandleFunc("GET /v1/zones/city", func(w http.ResponseWriter, r *http.Request) {
		var l geofence.Lookup
		if err := s.zones.CityZones(r.Context(), r.URL.Query().Get("city"), &l); err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(l)
	})
	mux.HandleFunc("GET /v1/partner/stations", s.zones.PartnerStations)
	mux.HandleFunc("POST /admin/zones/polygon", s.zones.AddPolygon)
	mux.HandleFunc("POST /admin/zones/import", s.zones.Import)
	mux.HandleFunc("POST /telemetry", s.telem.Report)
	mux.HandleFunc("POST /admin/scooters", s.telem.Register)
	mux.HandleFunc("GET /admin/scooters/status", s.telem.Status)
	return mux
}

func scheduled(ctx context.Context) error {
	s, err := bind()
	if err != nil {
		return err
	}
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "0 3 * * *":
		return s.nightly.Run(ctx, ev.ScheduledTime.AddDate(0, 0, -1))
	case "*/15 * * * *":
		if _, err := s.sweep.ClearHolds(ctx); err != nil {
			return err
		}
		return s.zones.FlushViews(ctx)
	default:
		return s.sweep.Run(ctx, ev.ScheduledTime)
	}
}

func main() {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := bind()
		if err != nil {
			http.Error(w, "misconfigured", http.StatusInternalServerError)
			return
		}
		routes(s).ServeHTTP(w, r)
	})
	cron.ScheduleTaskNonBlock(scheduled)
	workers.Serve(handler)
}
