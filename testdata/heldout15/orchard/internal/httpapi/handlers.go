package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"

	"example.com/orchard/internal/auth"
	"example.com/orchard/internal/ids"
	"example.com/orchard/internal/session"
)

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return false
	}
	return true
}

func reply(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		writeErr(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (a *API) login(w http.ResponseWriter, r *http.Request) {
	var req struct{ Email, Password, Account string }
	if !decode(w, r, &req) {
		return
	}
	ctx := r.Context()
	acct, err := a.d.Passwords.Check(ctx, req.Email, req.Password)
	if err != nil {
		if errors.Is(a.d.Auth.RecordFailure(ctx, ids.AccountID(req.Account)), auth.ErrLockedOut) {
			http.Error(w, "account locked, use a sign-in code", http.StatusTooManyRequests)
			return
		}
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	s, err := a.d.Sessions.Create(ctx, acct)
	if err == nil {
		http.SetCookie(w, &http.Cookie{Name: "orchard_session", Value: s.ID, Path: "/", HttpOnly: true, Secure: true})
	}
	reply(w, r, map[string]string{"csrf": s.CSRF}, err)
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie("orchard_session"); err == nil {
		if err := a.d.Sessions.Destroy(r.Context(), c.Value); err != nil {
			writeErr(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: "orchard_session", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) addToCart(w http.ResponseWriter, r *http.Request, s *session.Session) {
	var req session.CartItem
	if !decode(w, r, &req) {
		return
	}
	c, err := a.d.Sessions.AddToCart(r.Context(), s.Account, req.SKU, req.Qty)
	reply(w, r, c, err)
}

func (a *API) submitScore(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Grower ids.GrowerID
		Score  int
	}
	if !decode(w, r, &req) {
		return
	}
	err := a.d.Board.RecordScore(r.Context(), req.Grower, req.Score)
	if err == nil {
		err = a.d.Board.Submit(r.Context(), req.Grower, req.Score)
	}
	reply(w, r, map[string]bool{"ok": true}, err)
}

func (a *API) claimHandle(w http.ResponseWriter, r *http.Request, handle string) {
	var req struct{ Grower ids.GrowerID }
	if !decode(w, r, &req) {
		return
	}
	reply(w, r, map[string]string{"handle": handle}, a.d.Growers.ClaimHandle(r.Context(), handle, req.Grower))
}
