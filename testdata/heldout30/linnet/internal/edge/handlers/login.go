//go:build js && wasm

package handlers

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strconv"
	"time"

	"example.com/linnet/internal/edge/workerkv"
	"github.com/syumai/workers/cloudflare/kv"
)

const loginLinksPerIP = 5

func (d deps) requestLoginLink(w http.ResponseWriter, r *http.Request) {
	body, ok := decode[struct{ Email string }](w, r)
	if !ok {
		return
	}
	ns := d.kv.Namespace()
	key := "ratelimit:login:" + r.Header.Get("CF-Connecting-IP")
	raw, err := ns.GetString(key, nil)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	sent := 0
	if raw != workerkv.Null {
		sent, _ = strconv.Atoi(raw)
	}
	if sent >= loginLinksPerIP {
		writeJSON(w, http.StatusTooManyRequests, apiError{Error: "too many login links requested"})
		return
	}
	if err := ns.PutString(key, strconv.Itoa(sent+1), &kv.PutOptions{ExpirationTTL: 900}); err != nil { // EXPECT kvcounter
		d.fail(w, r, err)
		return
	}
	if err := d.Sessions.RequestLoginLink(r.Context(), body.Email); err != nil {
		d.log.InfoContext(r.Context(), "login link not sent", "err", err)
	}
	// Same answer whether or not the address is known.
	w.WriteHeader(http.StatusAccepted)
}

func (d deps) setCookie(w http.ResponseWriter, sessID string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sessID, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(d.cfg.Sessions.Lifetime / time.Second)})
}

func (d deps) loginCallback(w http.ResponseWriter, r *http.Request) {
	sess, err := d.Sessions.RedeemLoginLink(r.Context(), r.URL.Query().Get("token"), r.UserAgent())
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.setCookie(w, sess.ID)
	http.Redirect(w, r, "/app", http.StatusSeeOther)
}

func (d deps) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := d.Sessions.Logout(r.Context(), c.Value); err != nil {
			d.fail(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func oauthStateKey(state string) string { return "oauth-state:" + state }

func (d deps) oauthStart(w http.ResponseWriter, r *http.Request) {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	state := base64.RawURLEncoding.EncodeToString(b)
	err := d.kv.Namespace().PutString(oauthStateKey(state), "/app", &kv.PutOptions{ExpirationTTL: 600})
	if err != nil {
		d.fail(w, r, err)
		return
	}
	http.Redirect(w, r, d.OAuth.AuthURL(state), http.StatusFound)
}

func (d deps) oauthCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	ns := d.kv.Namespace()
	returnTo, err := ns.GetString(oauthStateKey(state), nil)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if returnTo == workerkv.Null {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "unknown or expired login attempt"})
		return
	}
	if err := ns.Delete(oauthStateKey(state)); err != nil { // EXPECT kvsession
		d.fail(w, r, err)
		return
	}
	ctx := r.Context()
	learner, err := d.OAuth.Exchange(ctx, q.Get("code"))
	if err != nil {
		writeJSON(w, http.StatusBadGateway, apiError{Error: "identity provider rejected the login"})
		return
	}
	sess, err := d.Sessions.Create(ctx, learner, r.UserAgent())
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.setCookie(w, sess.ID)
	http.Redirect(w, r, returnTo, http.StatusSeeOther)
}
