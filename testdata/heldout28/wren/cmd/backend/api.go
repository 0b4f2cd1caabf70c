package main

import (
	"encoding/json"
	"errors"
	"net/http"

	"example.com/wren/backend/accounts"
	"example.com/wren/backend/payments"
	"example.com/wren/backend/tariffs"
)

// api serves the origin endpoints the worker and the apps call.
type api struct {
	accounts  *accounts.Service
	payments  *payments.Service
	publisher *tariffs.Publisher
}

func (a *api) routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/auth/password", a.handlePassword())
	mux.HandleFunc("POST /v1/auth/code", a.handleIssueCode())
	mux.HandleFunc("POST /v1/drivers/{id}/cards", a.handleClaimCard())
	mux.HandleFunc("POST /v1/holds/{id}/capture", a.handleCapture())
	mux.HandleFunc("POST /v1/tariffs/republish", a.handleRepublish())
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(v); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return false
	}
	return true
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (a *api) handlePassword() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Email, Password string }
		if !decode(w, r, &in) {
			return
		}
		id, err := a.accounts.CheckPassword(r.Context(), in.Email, in.Password)
		switch {
		case errors.Is(err, accounts.ErrBadCredentials), errors.Is(err, accounts.ErrLocked):
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		case err != nil:
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
		default:
			reply(w, http.StatusOK, map[string]string{"driver_id": id})
		}
	}
}

func (a *api) handleIssueCode() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Email string }
		if !decode(w, r, &in) {
			return
		}
		if err := a.accounts.IssueCode(r.Context(), in.Email); err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}
}

func (a *api) handleClaimCard() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct{ UID string }
		if !decode(w, r, &in) {
			return
		}
		c, err := a.accounts.ClaimCard(r.Context(), r.PathValue("id"), in.UID)
		if errors.Is(err, accounts.ErrCardClaimed) {
			http.Error(w, "card already registered", http.StatusConflict)
			return
		}
		if err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		reply(w, http.StatusCreated, c)
	}
}

func (a *api) handleRepublish() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var t tariffs.Tariff
		if !decode(w, r, &t) {
			return
		}
		if err := a.publisher.Republish(r.Context(), t); err != nil {
			http.Error(w, "publish failed", http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (a *api) handleCapture() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Cents int64 }
		if !decode(w, r, &in) {
			return
		}
		receipt, err := a.payments.Capture(r.Context(), r.PathValue("id"), in.Cents)
		switch {
		case errors.Is(err, payments.ErrNotPlaced):
			http.Error(w, "hold not open", http.StatusConflict)
		case err != nil:
			http.Error(w, "unavailable", http.StatusBadGateway)
		default:
			reply(w, http.StatusOK, map[string]string{"receipt": receipt})
		}
	}
}
