package main

import (
	"crypto/rand"
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"
)

// sessionBinding holds customer sessions and sign-in codes.
const sessionBinding = "SESSIONS"

// handleSendCode mails a one-time sign-in code. A fresh code under a fresh
// key, with a TTL, is what KV is good at.
func handleSendCode(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(sessionBinding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	email := r.FormValue("email")
	code := rand.Text()[:6]
	if err := ns.PutString("code:"+email, code, &kv.PutOptions{ExpirationTTL: 600}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// handleRedeemCode signs the customer in with the code, once: it reads
// the code, then deletes it so it cannot be used again.
func handleRedeemCode(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(sessionBinding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	email := r.FormValue("email")
	want, err := ns.GetString("code:"+email, nil)
	if err != nil || want == "<null>" || want != r.FormValue("code") {
		http.Error(w, "invalid code", http.StatusUnauthorized)
		return
	}
	if err := ns.Delete("code:" + email); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	sid := rand.Text()
	if err := ns.PutString("session:"+sid, email, &kv.PutOptions{ExpirationTTL: 86400}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: sid, HttpOnly: true, Secure: true})
}

// handleLogout ends the session.
func handleLogout(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("sid")
	if err != nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	ns, err := kv.NewNamespace(sessionBinding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := ns.Delete("session:" + c.Value); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "sid", MaxAge: -1})
}
