//go:build js && wasm

package main

import (
	"errors"
	"net/http"
	"time"

	"example.com/boxoffice/internal/httpx"
	"example.com/boxoffice/internal/promo"
)

// organiserRoutes are the endpoints behind an organiser session.
func (a *app) organiserRoutes() map[string]httpx.Handler {
	return map[string]httpx.Handler{
		"POST /promos":          a.createPromo,
		"GET /promos":           a.listPromos,
		"GET /waitlist/offers":  a.listOffers,
		"POST /waitlist/offers": a.sendOffer,
		"POST /apikeys":         a.createAPIKey,
	}
}

func (a *app) createPromo(w http.ResponseWriter, r *http.Request) error {
	var p promo.Promo
	if err := httpx.ReadJSON(r, &p); err != nil {
		return err
	}
	org, _ := httpx.Account(r.Context())
	p.CreatedBy = org
	err := a.promos.Create(r.Context(), p)
	var invalid *promo.InvalidCodeError
	switch {
	case errors.As(err, &invalid):
		return httpx.Wrap(http.StatusBadRequest, invalid.Reason, err)
	case errors.Is(err, promo.ErrExists):
		return httpx.Wrap(http.StatusConflict, "code already exists", err)
	case err != nil:
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, p)
}

func (a *app) listPromos(w http.ResponseWriter, r *http.Request) error {
	codes, err := a.promos.Codes(r.Context(), r.URL.Query().Get("event"))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"codes": codes})
}

func (a *app) listOffers(w http.ResponseWriter, r *http.Request) error {
	ids, err := a.waitlist.OpenOffers(r.Context(), r.URL.Query().Get("event"))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"offers": ids})
}

func (a *app) sendOffer(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Event   string `json:"event"`
		Account string `json:"account"`
		Seat    string `json:"seat"`
	}
	if err := httpx.ReadJSON(r, &body); err != nil {
		return err
	}
	ev, err := a.catalog.Event(r.Context(), body.Event)
	if err != nil {
		return err
	}
	if time.Now().After(ev.SalesEnd) {
		return httpx.Errorf(http.StatusGone, "sales have ended")
	}
	o, err := a.waitlist.Offer(r.Context(), body.Event, body.Account, body.Seat, ev.SalesEnd)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, o)
}

func (a *app) createAPIKey(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Label string `json:"label"`
	}
	if err := httpx.ReadJSON(r, &body); err != nil {
		return err
	}
	org, _ := httpx.Account(r.Context())
	secret, err := a.auth.CreateAPIKey(r.Context(), org, body.Label)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, map[string]string{"secret": secret})
}
