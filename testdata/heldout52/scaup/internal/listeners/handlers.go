//go:build js && wasm

package listeners

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"scaup/internal/kverr"
	"scaup/internal/tenant"
)

const cookieName = "scaup_sid"

// Register mounts the listener routes.
func (a *Auth) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /login", a.handleRequestLink)
	mux.HandleFunc("GET /login/{code}", a.handleRedeem)
	mux.HandleFunc("POST /logout", a.handleLogout)
	mux.HandleFunc("GET /me", a.handleMe)
	mux.HandleFunc("GET /me/peek", a.handlePeek)
	mux.HandleFunc("DELETE /me", a.handleClose)
	mux.HandleFunc("POST /connect/{provider}", a.handleConnect)
	mux.HandleFunc("GET /connect/{provider}/callback", a.handleCallback)
}

func sessionID(r *http.Request) string {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return ""
	}
	return c.Value
}

func fail(w http.ResponseWriter, err error) {
	var nf *kverr.NotFoundError
	switch {
	case errors.As(err, &nf):
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	case errors.Is(err, ErrTooManyAttempts):
		http.Error(w, err.Error(), http.StatusTooManyRequests)
	default:
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func (a *Auth) handleRequestLink(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	var body struct {
		Email string `json:"email"`
		Next  string `json:"next"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Email == "" {
		http.Error(w, "email required", http.StatusBadRequest)
		return
	}
	if err := a.RequestLink(ctx, body.Email, body.Next); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (a *Auth) handleRedeem(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	sess, next, err := a.Redeem(ctx, r.PathValue("code"))
	if err != nil {
		fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: sess.ID, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode, Expires: sess.Expires,
	})
	if next == "" {
		next = "/library"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (a *Auth) handleLogout(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	if id := sessionID(r); id != "" {
		if err := a.Logout(ctx, id); err != nil {
			fail(w, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (a *Auth) handleMe(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	sess, err := a.Authenticate(ctx, sessionID(r))
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(struct {
		ListenerID string    `json:"listener_id"`
		Plan       string    `json:"plan"`
		Expires    time.Time `json:"expires"`
	}{sess.ListenerID, sess.Plan, sess.Expires})
}

func (a *Auth) handlePeek(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	sess, err := a.Peek(ctx, sessionID(r))
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"plan": sess.Plan})
}

func (a *Auth) handleClose(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	sess, err := a.Peek(ctx, sessionID(r))
	if err != nil {
		fail(w, err)
		return
	}
	if err := a.CloseAccount(ctx, sess, []string{"spotify", "apple", "youtube"}); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *Auth) handleConnect(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	sess, err := a.Peek(ctx, sessionID(r))
	if err != nil {
		fail(w, err)
		return
	}
	st, err := a.BeginConnect(ctx, sess, r.PathValue("provider"))
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"state": st.State})
}

func (a *Auth) handleCallback(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	q := r.URL.Query()
	c, err := a.FinishConnect(ctx, q.Get("state"), r.PathValue("provider"), q.Get("account"))
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(c)
}
