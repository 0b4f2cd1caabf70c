//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"example.com/orchard/internal/edge/auth"
	"example.com/orchard/internal/edge/farms"
	"example.com/orchard/internal/edge/inventory"
)

// farmerRoutes is the farmer back office: /farmer/{farm}/{action}.
type farmerRoutes struct {
	auth  *auth.Service
	dir   *farms.Directory
	stock *inventory.Stock
	log   *slog.Logger
}

func (f *farmerRoutes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	farm, action, _ := strings.Cut(strings.Trim(strings.TrimPrefix(r.URL.Path, "/farmer/"), "/"), "/")
	var body struct {
		Email     string    `json:"email"`
		Slug      string    `json:"slug"`
		Until     time.Time `json:"until"`
		OrderID   string    `json:"order_id"`
		ListingID string    `json:"listing_id"`
		Qty       int       `json:"qty"`
	}
	if r.Method != http.MethodGet {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, "malformed JSON", http.StatusBadRequest)
			return
		}
	}
	var err error
	switch r.Method + " " + action {
	case "POST link":
		err = f.auth.SendLink(r.Context(), body.Email, farm)
	case "GET magic":
		s, rerr := f.auth.Redeem(r.Context(), r.URL.Query().Get("t"))
		if err = rerr; err == nil {
			http.SetCookie(w, &http.Cookie{Name: "fsid", Value: s.ID, Path: "/farmer/", Expires: s.ExpiresAt, HttpOnly: true, Secure: true})
		}
	case "POST password-changed":
		err = f.auth.RevokeAll(farm)
	case "POST slug":
		err = f.dir.ClaimSlug(farm, body.Slug)
	case "POST feature":
		err = f.dir.Feature(farm, body.Until)
	case "POST slots":
		err = f.dir.InitSlots(farm)
	case "PUT stock":
		err = f.stock.Set(body.ListingID, body.Qty)
	case "POST holds":
		err = f.stock.Reserve(body.OrderID, body.ListingID, body.Qty)
	default:
		http.NotFound(w, r)
		return
	}
	var short *inventory.ShortError
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.As(err, &short), errors.Is(err, farms.ErrSlugTaken), errors.Is(err, inventory.ErrUnknownListing):
		http.Error(w, err.Error(), http.StatusConflict)
	case errors.Is(err, farms.ErrBadSlug):
		http.Error(w, err.Error(), http.StatusBadRequest)
	case errors.Is(err, auth.ErrLinkInvalid), errors.Is(err, auth.ErrThrottled):
		http.Error(w, err.Error(), http.StatusUnauthorized)
	default:
		f.log.ErrorContext(r.Context(), "farmer request failed", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}
