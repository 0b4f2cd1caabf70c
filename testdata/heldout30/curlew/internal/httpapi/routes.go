// Package httpapi exposes curlew over HTTP: the courier app API, the
// partner API and the public tracking pages.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"example.com/curlew/internal/courier"
	"example.com/curlew/internal/geocode"
	"example.com/curlew/internal/kv"
	"example.com/curlew/internal/partner"
	"example.com/curlew/internal/pin"
	"example.com/curlew/internal/pod"
	"example.com/curlew/internal/routeplan"
	"example.com/curlew/internal/tracking"
)

// Dedupe drops partner events that were already processed.
type Dedupe interface {
	Seen(ctx context.Context, eventID string) (bool, error)
	Remember(ctx context.Context, eventID string, window time.Duration) error
}

// Services are the application services the API calls.
type Services struct {
	Sessions *courier.Sessions
	Logins   *courier.Logins
	Shifts   *courier.Shifts
	Couriers *courier.Store
	Plans    *routeplan.Service
	Tracking *tracking.Service
	Pins     *pin.Service
	POD      *pod.Service
	Keys     *partner.Keys
	Webhooks *partner.Webhooks
	Geo      *geocode.Cache
	Dedupe   Dedupe
	Store    kv.Store
}

type deps struct {
	Services
	log          *slog.Logger
	dedupeWindow time.Duration
	publicRPM    int
}

// Handler returns the API handler.
func Handler(s Services, log *slog.Logger) http.Handler {
	d := deps{Services: s, log: log, dedupeWindow: 6 * time.Hour, publicRPM: 120}
	return routes(d)
}

var errBadRequest = errors.New("bad request")

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

func readJSON[T any](r *http.Request) (T, error) {
	var v T
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&v); err != nil {
		return v, errBadRequest
	}
	return v, nil
}

// handler adapts a handler that returns an error.
type handler func(w http.ResponseWriter, r *http.Request) error

func (h handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	err := h(w, r)
	switch {
	case err == nil:
	case errors.Is(err, errBadRequest):
		http.Error(w, "bad request", http.StatusBadRequest)
	case errors.Is(err, routeplan.ErrLocked), errors.Is(err, pod.ErrBusy):
		http.Error(w, err.Error(), http.StatusConflict)
	case errors.Is(err, tracking.ErrUnknown), errors.Is(err, courier.ErrLinkInvalid), errors.Is(err, geocode.ErrNoMatch):
		http.Error(w, "not found", http.StatusNotFound)
	case errors.Is(err, pin.ErrCooldown):
		http.Error(w, err.Error(), http.StatusTooManyRequests)
	default:
		slog.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func routes(d deps) http.Handler {
	mux := http.NewServeMux()
	courierOnly := func(h handler) http.Handler { return courierAuth(d.Sessions)(h) }
	public := func(h handler) http.Handler { return rateLimit(d.Store, d.publicRPM)(h) }

	// Courier app.
	mux.Handle("POST /v1/courier/login", public(func(w http.ResponseWriter, r *http.Request) error {
		in, err := readJSON[struct{ Phone, Device string }](r)
		if err != nil {
			return err
		}
		if err := d.Logins.Start(r.Context(), in.Phone, in.Device); err != nil {
			return err
		}
		w.WriteHeader(http.StatusAccepted)
		return nil
	}))
	mux.Handle("POST /v1/courier/login/{token}", public(func(w http.ResponseWriter, r *http.Request) error {
		end := time.Now().Add(10 * time.Hour)
		sess, err := d.Logins.Redeem(r.Context(), r.PathValue("token"), end)
		if err != nil {
			return err
		}
		if err := d.Couriers.For(sess.CourierID).EnsurePrefs(r.Context()); err != nil {
			d.log.WarnContext(r.Context(), "prefs not seeded", "err", err)
		}
		http.SetCookie(w, &http.Cookie{Name: "curlew_session", Value: sess.ID, Path: "/", HttpOnly: true, Secure: true, Expires: end})
		return writeJSON(w, http.StatusOK, map[string]string{"courier": sess.CourierID})
	}))
	mux.Handle("POST /v1/courier/logout", courierOnly(func(w http.ResponseWriter, r *http.Request) error {
		if err := d.Sessions.Logout(r.Context(), sessionFrom(r.Context())); err != nil {
			return err
		}
		http.SetCookie(w, &http.Cookie{Name: "curlew_session", Path: "/", MaxAge: -1})
		w.WriteHeader(http.StatusNoContent)
		return nil
	}))
	mux.Handle("POST /v1/courier/shifts", courierOnly(func(w http.ResponseWriter, r *http.Request) error {
		in, err := readJSON[struct {
			Device, Depot, Route string
			End                  time.Time
		}](r)
		if err != nil {
			return err
		}
		res, err := d.Shifts.Start(r.Context(), courierFrom(r.Context()), in.Device, in.Depot, in.Route, in.End)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusCreated, map[string]any{"shift": res.ShiftID, "device_token": res.DeviceToken})
	}))
	mux.Handle("POST /v1/courier/pings", courierOnly(func(w http.ResponseWriter, r *http.Request) error {
		pings, err := readJSON[[]courier.Ping](r)
		if err != nil {
			return err
		}
		return d.Couriers.For(courierFrom(r.Context())).RecordPings(r.Context(), pings)
	}))
	mux.Handle("POST /v1/courier/device-lost", courierOnly(func(w http.ResponseWriter, r *http.Request) error {
		in, err := readJSON[struct{ Tokens []string }](r)
		if err != nil {
			return err
		}
		return d.Couriers.For(courierFrom(r.Context())).ReportDeviceLost(r.Context(), in.Tokens)
	}))

	// Route plans.
	mux.Handle("GET /v1/routes/{id}/stops", courierOnly(func(w http.ResponseWriter, r *http.Request) error {
		stops, err := d.Plans.Stops(r.Context(), r.PathValue("id"))
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, stops)
	}))
	mux.Handle("POST /v1/routes/{id}/stops", courierOnly(func(w http.ResponseWriter, r *http.Request) error {
		st, err := readJSON[routeplan.Stop](r)
		if err != nil {
			return err
		}
		return d.Plans.AddStop(r.Context(), r.PathValue("id"), st)
	}))
	mux.Handle("POST /v1/routes/{id}/delivered", courierOnly(func(w http.ResponseWriter, r *http.Request) error {
		in, err := readJSON[struct{ Stops []string }](r)
		if err != nil {
			return err
		}
		return d.Plans.MarkDelivered(r.Context(), r.PathValue("id"), in.Stops)
	}))
	mux.Handle("GET /v1/depots/{depot}/board", courierOnly(func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		rows, next, err := d.Plans.BoardPage(r.Context(), r.PathValue("depot"), q.Get("day"), q.Get("page"))
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, map[string]any{"rows": rows, "next_page": next})
	}))

	// Parcels: PINs and proof of delivery.
	mux.Handle("POST /v1/parcels/{id}/pin/verify", courierOnly(func(w http.ResponseWriter, r *http.Request) error {
		in, err := readJSON[struct{ PIN string }](r)
		if err != nil {
			return err
		}
		ok, err := d.Pins.Verify(r.Context(), r.PathValue("id"), in.PIN)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, map[string]bool{"ok": ok})
	}))
	mux.Handle("POST /v1/parcels/{id}/pod", courierOnly(func(w http.ResponseWriter, r *http.Request) error {
		photo, err := formBytes(r, "photo")
		if err != nil {
			return errBadRequest
		}
		sig, _ := formBytes(r, "signature")
		u := pod.Upload{ParcelID: r.PathValue("id"), CourierID: courierFrom(r.Context()), Photo: photo, Signature: sig, TakenAt: time.Now().UTC()}
		return d.POD.Store(r.Context(), u)
	}))

	mux.Handle("GET /v1/geocode", courierOnly(func(w http.ResponseWriter, r *http.Request) error {
		p, err := d.Geo.Lookup(r.Context(), r.URL.Query().Get("q"))
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, p)
	}))

	// Public tracking.
	mux.Handle("GET /t/{slug}", public(func(w http.ResponseWriter, r *http.Request) error {
		slug := r.PathValue("slug")
		v, err := d.Tracking.View(r.Context(), slug)
		if err != nil {
			return err
		}
		if err := d.Tracking.CountView(r.Context(), slug); err != nil {
			d.log.WarnContext(r.Context(), "view count failed", "err", err)
		}
		return writeJSON(w, http.StatusOK, v)
	}))

	partnerRoutes(mux, d)
	return mux
}

func formBytes(r *http.Request, name string) ([]byte, error) {
	f, _, err := r.FormFile(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 16<<20))
}
