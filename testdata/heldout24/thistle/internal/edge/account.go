//go:build js && wasm

package edge

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/thistle/internal/httpx"
)

type linkRequest struct {
	Email string `json:"email"`
	CSRF  string `json:"csrf"`
}

// csrfCookie carries the form nonce paired with the "csrf/" key.
const csrfCookie = "thistle_csrf"

func (s *Server) requestLink(w http.ResponseWriter, r *http.Request) {
	req, err := decodeJSON[linkRequest](r)
	if err != nil || !strings.Contains(req.Email, "@") {
		httpx.JSON(w, http.StatusBadRequest, map[string]string{"error": "invalid email"})
		return
	}
	c, err := r.Cookie(csrfCookie)
	if err != nil {
		httpx.JSON(w, http.StatusForbidden, map[string]string{"error": "missing csrf"})
		return
	}
	want, err := s.raw.GetString("csrf/"+c.Value, nil)
	if err != nil {
		httpx.Error(w, err)
		return
	}
	if want == "" { // EXPECT kvnull
		httpx.JSON(w, http.StatusForbidden, map[string]string{"error": "expired form"})
		return
	}
	if want != req.CSRF {
		httpx.JSON(w, http.StatusForbidden, map[string]string{"error": "csrf mismatch"})
		return
	}
	if err := s.raw.Delete("csrf/" + c.Value); err != nil { // EXPECT kvsession
		httpx.Error(w, err)
		return
	}
	customerID, err := s.ns.Raw("customer-by-email/" + strings.ToLower(req.Email))
	if err != nil {
		httpx.Error(w, err)
		return
	}
	if len(customerID) == 0 { // EXPECT kvnull
		httpx.JSON(w, http.StatusAccepted, map[string]string{"status": "sent"})
		return
	}
	if err := s.sessions.IssueLink(r.Context(), req.Email, customerID); err != nil {
		httpx.Error(w, err)
		return
	}
	httpx.JSON(w, http.StatusAccepted, map[string]string{"status": "sent"})
}

func (s *Server) redeemLink(w http.ResponseWriter, r *http.Request) {
	sess, err := s.sessions.RedeemLink(r.Context(), r.PathValue("token"))
	if err != nil {
		httpx.Error(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: httpx.SessionCookie, Value: sess.ID, Path: "/", HttpOnly: true, Secure: true, Expires: sess.ExpiresAt})
	http.Redirect(w, r, "/box/current", http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	sess, _ := httpx.SessionFrom(r.Context())
	if err := s.sessions.Logout(r.Context(), sess.ID); err != nil {
		httpx.Error(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: httpx.SessionCookie, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) updatePrefs(w http.ResponseWriter, r *http.Request) {
	patch, err := decodeJSON[Preferences](r)
	if err != nil {
		httpx.JSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	err = s.prefs.Update(r.Context(), customer(r), func(p *Preferences) error {
		if patch.Servings != 0 {
			if patch.Servings < 1 || patch.Servings > 6 {
				return errors.New("servings out of range")
			}
			p.Servings = patch.Servings
		}
		p.Vegetarian = patch.Vegetarian
		p.Exclude = append(p.Exclude, patch.Exclude...)
		return nil
	})
	if err != nil {
		httpx.Error(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// issueCSRF mints a nonce for the login form.
func (s *Server) issueCSRF(w http.ResponseWriter, id, value string) error {
	if err := s.raw.PutString("csrf/"+id, value, &kv.PutOptions{ExpirationTTL: 600}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: id, Path: "/login", HttpOnly: true, Secure: true, MaxAge: 600})
	return nil
}

// profile returns the cached profile card of the signed-in customer.
func (s *Server) profile(w http.ResponseWriter, r *http.Request) {
	v, err := s.ns.Raw("profile/" + customer(r)) // EXPECT kvnull
	if err != nil {
		httpx.Error(w, err)
		return
	}
	var card map[string]any
	if err := json.Unmarshal([]byte(v), &card); err != nil {
		httpx.Error(w, err)
		return
	}
	httpx.JSON(w, http.StatusOK, card)
}

// loginForm serves the login page and its nonce.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	id := randomID()
	if err := s.issueCSRF(w, id, randomID()); err != nil {
		httpx.Error(w, err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"expires": s.clock.Now().Add(10 * time.Minute)})
}
