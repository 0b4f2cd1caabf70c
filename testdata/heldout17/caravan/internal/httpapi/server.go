// Package httpapi exposes the dispatch backend over HTTP: the dispatcher
// console, the driver app, the public tracking page and carrier callbacks.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"example.com/caravan/internal/auth/session"
	"example.com/caravan/internal/dispatch"
	"example.com/caravan/internal/fleet"
	"example.com/caravan/internal/ingest"
	"example.com/caravan/internal/platform/clock"
	"example.com/caravan/internal/quota"
	"example.com/caravan/internal/ratings"
	"example.com/caravan/internal/routecache"
	"example.com/caravan/internal/schedule"
	"example.com/caravan/internal/storage"
)

// Deps are the services the handlers use.
type Deps struct {
	Store     storage.Store
	Bus       *dispatch.Bus
	Matcher   *dispatch.Matcher
	Drafts    *dispatch.Drafts
	Sessions  *session.Manager
	Ratings   *ratings.Service
	Meter     *quota.Meter
	Schedules *schedule.Publisher
	Routes    *routecache.Cache
	Edge      *Edge
	Pings     ingest.Consumer
	Clock     clock.Clock
	Log       *slog.Logger

	CarrierCallback, Redeem http.HandlerFunc
}

type none struct{}

// handle adapts a typed function to a handler: the body is decoded into In
// unless In is none, and the result is written as JSON.
func handle[In, Out any](fn func(r *http.Request, in In) (Out, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in In
		if _, skip := any(in).(none); !skip && !readJSON(w, r, &in) {
			return
		}
		out, err := fn(r, in)
		if err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// New returns the API handler.
func New(d Deps) http.Handler {
	mux := http.NewServeMux()
	auth := requireSession(d.Sessions)
	sm := d.Sessions

	mux.HandleFunc("POST /v1/auth/challenge", handle(func(r *http.Request, in struct{ DeviceID string }) (string, error) {
		return sm.BeginChallenge(r.Context(), in.DeviceID)
	}))
	mux.HandleFunc("POST /v1/auth/complete", handle(func(r *http.Request, in struct {
		Nonce     string
		Signature []byte
	}) (session.Tokens, error) {
		return sm.Complete(r.Context(), in.Nonce, in.Signature)
	}))
	mux.HandleFunc("POST /v1/auth/refresh", handle(func(r *http.Request, in struct{ RefreshToken string }) (session.Tokens, error) {
		return sm.Refresh(r.Context(), in.RefreshToken)
	}))
	mux.Handle("POST /v1/auth/logout", auth(handle(func(r *http.Request, _ none) (none, error) {
		return none{}, sm.Logout(r.Context(), sessionFrom(r).ID)
	})))
	mux.HandleFunc("POST /v1/recovery/redeem", d.Redeem)

	mux.HandleFunc("POST /v1/shipments", handle(func(r *http.Request, in dispatch.CreateShipment) (fleet.Shipment, error) {
		in.Customer = apiCustomer(r)
		return dispatch.Send[fleet.Shipment](r.Context(), d.Bus, in)
	}))
	mux.HandleFunc("POST /v1/shipments/{id}/status", handle(func(r *http.Request, in dispatch.TransitionShipment) (fleet.Shipment, error) {
		in.ShipmentID, in.Source = r.PathValue("id"), "console"
		return dispatch.Send[fleet.Shipment](r.Context(), d.Bus, in)
	}))
	mux.HandleFunc("POST /v1/dispatch", makeDispatch(d.Store, d.Bus, d.Matcher, d.Clock))
	mux.HandleFunc("GET /v1/track/{trackingID}", makeTrackingView(d.Store, d.Edge, d.Log))
	mux.HandleFunc("POST /v1/carriers/{carrier}/events", d.CarrierCallback)

	mux.Handle("PATCH /v1/me/prefs", auth(makeUpdatePrefs(d.Store)))
	mux.Handle("POST /v1/me/heartbeat", auth(makeHeartbeat(d.Edge)))
	mux.Handle("POST /v1/me/vehicle", auth(handle(func(r *http.Request, in struct{ Plate string }) (string, error) {
		s := sessionFrom(r)
		return dispatch.Send[string](r.Context(), d.Bus, dispatch.RegisterVehicle{Tenant: s.Tenant, DriverID: s.DriverID, Plate: in.Plate})
	})))
	mux.HandleFunc("POST /v1/drivers/{id}/like", handle(func(r *http.Request, _ none) (int64, error) {
		return d.Ratings.Like(r.Context(), r.PathValue("id"), apiCustomer(r))
	}))
	mux.HandleFunc("GET /v1/drivers/popular", handle(func(r *http.Request, _ none) ([]ratings.Popularity, error) {
		return d.Ratings.Popular(r.Context(), 12)
	}))

	mux.HandleFunc("POST /v1/drafts/{dispatcher}/stops", handle(func(r *http.Request, in struct {
		Depot string
		Stop  dispatch.DraftStop
	}) (dispatch.Draft, error) {
		return d.Drafts.AddStop(r.Context(), r.PathValue("dispatcher"), in.Depot, in.Stop)
	}))
	mux.HandleFunc("GET /v1/drafts", handle(func(r *http.Request, _ none) (storage.Page, error) {
		l, ok := storage.As[storage.Lister](d.Store)
		if !ok {
			return storage.Page{}, storage.ErrUnsupported
		}
		return l.List(r.Context(), "draft:", r.URL.Query().Get("cursor"), 100)
	}))
	mux.HandleFunc("GET /v1/depots/{depot}/schedule/{day}", handle(func(r *http.Request, _ none) (schedule.Schedule, error) {
		day, err := time.Parse(time.DateOnly, r.PathValue("day"))
		if err != nil {
			return schedule.Schedule{}, err
		}
		return d.Schedules.Current(r.Context(), r.PathValue("depot"), day)
	}))
	mux.HandleFunc("PUT /v1/depots/{depot}/bays/{bay}", handle(func(r *http.Request, in struct{ Vehicle string }) (none, error) {
		return none{}, d.Schedules.AssignBay(r.Context(), r.PathValue("depot"), r.PathValue("bay"), in.Vehicle)
	}))
	mux.HandleFunc("GET /v1/routes", handle(func(r *http.Request, _ none) (routecache.Route, error) {
		q := r.URL.Query()
		return d.Routes.Lookup(r.Context(), q.Get("profile"), q.Get("from"), q.Get("to"))
	}))
	mux.HandleFunc("POST /v1/runs/{run}/stops", handle(func(r *http.Request, in struct{ Stop string }) ([]string, error) {
		return d.Routes.AppendStop(r.Context(), r.PathValue("run"), in.Stop)
	}))
	mux.HandleFunc("GET /admin/keys", makeAdminKeys(d.Store))
	mux.HandleFunc("POST /internal/queues/pings", handle(func(r *http.Request, b ingest.Batch) ([]*ingest.Message, error) {
		return b.Messages, d.Pings.Consume(r.Context(), b)
	}))

	return d.Meter.Middleware(apiCustomer, mux)
}

func apiCustomer(r *http.Request) string {
	customer, _, _ := strings.Cut(r.Header.Get("X-Api-Key"), ".")
	return customer
}

type ctxKey struct{}

func requireSession(m *session.Manager) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Session ")
			s, err := m.Authenticate(r.Context(), id)
			if err != nil {
				writeErr(w, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, s)))
		})
	}
}

func sessionFrom(r *http.Request) session.Session {
	s, _ := r.Context().Value(ctxKey{}).(session.Session)
	return s
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}

var errorCodes = map[error]int{
	storage.ErrNotFound: http.StatusNotFound, dispatch.ErrQuotaExceeded: http.StatusPaymentRequired,
	session.ErrInvalid: http.StatusUnauthorized, session.ErrUnknownChallenge: http.StatusUnauthorized,
	session.ErrBadSignature: http.StatusUnauthorized, session.ErrRefreshInvalid: http.StatusUnauthorized,
	fleet.ErrBadTransition: http.StatusConflict, fleet.ErrPlateTaken: http.StatusConflict, schedule.ErrBayTaken: http.StatusConflict,
}

func writeErr(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	for target, c := range errorCodes {
		if errors.Is(err, target) {
			code = c
		}
	}
	http.Error(w, http.StatusText(code)+": "+err.Error(), code)
}
