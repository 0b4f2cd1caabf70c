//go:build !js

// Package staff manages host-stand PINs and the restaurant's link to its
// point-of-sale system.
package staff

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"junco/internal/keys"
	"junco/internal/restkv"
)

// PINStore is the staff table in the backend database.
type PINStore interface {
	SetPIN(ctx context.Context, restaurantID, staffID, pin string) error
}

// POS exchanges OAuth codes with the point-of-sale vendor.
type POS interface {
	Exchange(ctx context.Context, code string) (access, refresh string, expires time.Time, err error)
	Refresh(ctx context.Context, refresh string) (access, newRefresh string, expires time.Time, err error)
}

type Service struct {
	KV   *restkv.Namespace
	PINs PINStore
	POS  POS
}

func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ChangePIN stores a new PIN and signs the staff member out of every
// host-stand tablet.
func (s Service) ChangePIN(ctx context.Context, restaurantID, staffID, pin string) error {
	if err := s.PINs.SetPIN(ctx, restaurantID, staffID, pin); err != nil {
		return err
	}
	var stale []string
	cursor := ""
	for page := 0; page < 10; page++ {
		ks, next, err := s.KV.Page(ctx, keys.HostSessionsOf(restaurantID, staffID), cursor, 100)
		if err != nil {
			return err
		}
		for _, k := range ks {
			stale = append(stale, k.Name)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return s.KV.BulkDelete(ctx, stale) // EXPECT kvsession
}

// StartPOSLink begins the OAuth flow and returns the state to embed in the
// authorization URL.
func (s Service) StartPOSLink(ctx context.Context, restaurantID string) (string, error) {
	state := randomToken(24)
	return state, s.KV.Put(ctx, keys.OAuthState(state), restaurantID, 10*time.Minute)
}

var ErrBadState = errors.New("unknown or expired state")

// FinishPOSLink handles the vendor's redirect.
func (s Service) FinishPOSLink(ctx context.Context, state, code string) (string, error) {
	restaurantID, ok, err := s.KV.Get(ctx, keys.OAuthState(state))
	if err != nil {
		return "", err
	}
	if !ok {
		return "", ErrBadState
	}
	if err := s.KV.Delete(ctx, keys.OAuthState(state)); err != nil { // EXPECT kvsession
		return "", err
	}
	access, refresh, expires, err := s.POS.Exchange(ctx, code)
	if err != nil {
		return "", err
	}
	tokenID := randomToken(12)
	rec := map[string]any{"access": access, "refresh": refresh, "expires": expires.Unix()}
	if err := s.KV.PutJSON(ctx, keys.POSRefreshToken(string(restaurantID), tokenID), rec, 90*24*time.Hour); err != nil {
		return "", err
	}
	return tokenID, s.KV.Put(ctx, "pos:current:"+string(restaurantID), tokenID, 0)
}

// RotatePOSToken trades the stored refresh token for a new pair.
func (s Service) RotatePOSToken(ctx context.Context, restaurantID, tokenID string) (string, error) {
	var rec struct {
		Refresh string `json:"refresh"`
	}
	found, err := s.KV.GetJSON(ctx, keys.POSRefreshToken(restaurantID, tokenID), &rec)
	if err != nil {
		return "", err
	}
	if !found {
		return "", fmt.Errorf("token %s not found", tokenID)
	}
	access, refresh, expires, err := s.POS.Refresh(ctx, rec.Refresh)
	if err != nil {
		return "", err
	}
	newID := randomToken(12)
	next := map[string]any{"access": access, "refresh": refresh, "expires": expires.Unix()}
	if err := s.KV.PutJSON(ctx, keys.POSRefreshToken(restaurantID, newID), next, 90*24*time.Hour); err != nil {
		return "", err
	}
	if err := s.KV.Put(ctx, "pos:current:"+restaurantID, newID, 0); err != nil {
		return "", err
	}
	return newID, s.KV.Delete(ctx, keys.POSRefreshToken(restaurantID, tokenID)) // EXPECT kvsession
}

// RevokeHostToken blocks a signed host-stand token until it would have
// expired on its own.
func (s Service) RevokeHostToken(ctx context.Context, jti string, exp time.Time) error {
	return s.KV.PutUntil(ctx, "revoked:"+jti, "1", exp.Add(time.Minute)) // EXPECT kvsession
}

// Handler exposes the staff routes of the backend API.
type Handler struct{ Svc Service }

func (h Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("PUT /v1/restaurants/{rid}/staff/{sid}/pin", h.changePIN)
	mux.HandleFunc("GET /v1/pos/callback", h.posCallback)
}

func (h Handler) changePIN(w http.ResponseWriter, r *http.Request) {
	var in struct {
		PIN string `json:"pin"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in.PIN) < 4 {
		http.Error(w, "bad pin", http.StatusBadRequest)
		return
	}
	if err := h.Svc.ChangePIN(r.Context(), r.PathValue("rid"), r.PathValue("sid"), in.PIN); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h Handler) posCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id, err := h.Svc.FinishPOSLink(r.Context(), q.Get("state"), q.Get("code"))
	if errors.Is(err, ErrBadState) {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	fmt.Fprintf(w, "linked (%s)\n", id)
}
