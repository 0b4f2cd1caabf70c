// Package api is the back office's HTTP interface, used by the staff
// console and by the e-prescribing and EHR integrations.
package api

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"example.com/gannet/backend/refills"
	"example.com/gannet/backend/schedules"
	"example.com/gannet/backend/summaries"
	"example.com/gannet/internal/domain"
)

// App holds the services behind the handlers.
type App struct {
	Refills    *refills.Service
	Schedules  *schedules.Service
	Summaries  *summaries.Service
	Probe      func(ctx context.Context) error
	StaffToken string
	Log        *slog.Logger
}

// Routes returns the back-office mux.
func (a *App) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /refills", a.handleSubmitRefill())
	mux.Handle("POST /schedules/{clinician}/blocks", a.staff(a.handleAddBlock()))
	mux.Handle("POST /schedules/{clinician}/publish", a.staff(a.handlePublish()))
	mux.Handle("GET /healthz", a.handleHealth())
	return mux
}

func (a *App) staff(next http.HandlerFunc) http.HandlerFunc {
	want := []byte("Bearer " + a.StaffToken)
	return func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if a.StaffToken == "" || subtle.ConstantTimeCompare(got, want) != 1 {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		next(w, r)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (a *App) fail(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, domain.ErrNotFound):
		http.Error(w, "not found", http.StatusNotFound)
	case errors.Is(err, domain.ErrQuota):
		http.Error(w, err.Error(), http.StatusTooManyRequests)
	default:
		a.Log.Error("handler", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func (a *App) handleSubmitRefill() http.HandlerFunc {
	type request struct {
		PatientID  string `json:"patient_id"`
		Medication string `json:"medication"`
		Pharmacy   string `json:"pharmacy"`
	}
	svc := a.Refills
	return func(w http.ResponseWriter, r *http.Request) {
		var in request
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		req, err := svc.Submit(r.Context(), in.PatientID, in.Medication, in.Pharmacy)
		if err != nil {
			a.fail(w, err)
			return
		}
		writeJSON(w, http.StatusAccepted, req)
	}
}

func (a *App) handleAddBlock() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var blk domain.Block
		if err := json.NewDecoder(r.Body).Decode(&blk); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if err := a.Schedules.AddBlock(r.Context(), r.PathValue("clinician"), blk); err != nil {
			a.fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (a *App) handlePublish() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		sch, err := a.Schedules.Get(ctx, r.PathValue("clinician"))
		if err != nil {
			a.fail(w, err)
			return
		}
		days, _ := strconv.Atoi(r.URL.Query().Get("days"))
		if days <= 0 || days > 90 {
			days = 28
		}
		if err := a.Schedules.PublishDays(ctx, sch, time.Now(), days); err != nil {
			a.fail(w, err)
			return
		}
		if r.URL.Query().Get("legacy") == "1" {
			if err := a.Schedules.PublishMinutes(ctx, sch, time.Now()); err != nil {
				a.fail(w, err)
				return
			}
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (a *App) handleHealth() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := a.Probe(ctx); err != nil {
			http.Error(w, "store unreachable", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok"))
	}
}
