//go:build js && wasm

package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"net/url"
	"strings"
	"time"

	"bufflehead/internal/edgekv"
	"bufflehead/internal/optin"
	"bufflehead/internal/quota"
	"bufflehead/internal/session"
	"bufflehead/internal/templates"
	"bufflehead/internal/unsub"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (a *app) handleSignup(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var req struct {
		ListID string `json:"list_id"`
		Email  string `json:"email"`
		Source string `json:"source"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.ListID == "" || !strings.Contains(req.Email, "@") {
		http.Error(w, "list_id and email required", http.StatusBadRequest)
		return
	}
	tok, err := optin.Issue(r.Context(), a.lists, req.ListID, req.Email, req.Source)
	switch {
	case errors.Is(err, optin.ErrTooSoon):
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "already_sent"})
		return
	case err != nil:
		log.Printf("signup: %v", err)
		http.Error(w, "try again later", http.StatusServiceUnavailable)
		return
	}
	if err := a.enqueueConfirmation(r.Context(), req.ListID, req.Email, tok); err != nil {
		log.Printf("signup: enqueue: %v", err)
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "sent"})
}

func (a *app) enqueueConfirmation(ctx context.Context, listID, email, tok string) error {
	body, _ := json.Marshal(struct {
		ListID string `json:"list_id"`
		Email  string `json:"email"`
		Link   string `json:"link"`
	}{listID, email, a.apiBase + "/confirm?t=" + url.QueryEscape(tok)})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.apiBase+"/internal/mail/confirmation", strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (a *app) handleConfirm(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("t")
	p, err := optin.Confirm(r.Context(), a.lists, tok)
	switch {
	case errors.Is(err, optin.ErrUnknownToken):
		http.Error(w, "This confirmation link has expired.", http.StatusNotFound)
	case errors.Is(err, optin.ErrAlreadyConfirmed):
		http.Error(w, "You are already subscribed.", http.StatusOK)
	case err != nil:
		log.Printf("confirm: %v", err)
		http.Error(w, "try again later", http.StatusServiceUnavailable)
	default:
		writeJSON(w, http.StatusOK, map[string]string{"status": "confirmed", "list": p.ListID})
	}
}

func (a *app) handleUnsubscribe(w http.ResponseWriter, r *http.Request) {
	link, err := a.signer.Parse(r.URL.Query().Get("t"))
	if err != nil {
		http.Error(w, "invalid link", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	defer func() {
		stamp := time.Now().UTC().Format(time.RFC3339)
		if err := a.lists.Put(context.WithoutCancel(ctx), "unsub:last-at", stamp, 0); err != nil { // EXPECT kvhotkey
			log.Printf("unsubscribe: stamp: %v", err)
		}
	}()
	via := "link"
	if r.Method == http.MethodPost {
		via = "one-click"
	}
	if err := unsub.Apply(ctx, a.lists, link, via); err != nil {
		log.Printf("unsubscribe %s: %v", link.ListID, err)
		http.Error(w, "try again later", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (a *app) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req struct {
		SenderID string `json:"sender_id"`
		Email    string `json:"email"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	code, err := session.IssueLink(r.Context(), a.sessNS, req.SenderID, req.Email)
	if err != nil {
		http.Error(w, "try again later", http.StatusServiceUnavailable)
		return
	}
	log.Printf("login link for %s issued (%d chars)", req.SenderID, len(code))
	w.WriteHeader(http.StatusAccepted)
}

func (a *app) handleLoginCallback(w http.ResponseWriter, r *http.Request) {
	sess, err := session.RedeemLink(r.Context(), a.sessNS, a.sessions, r.URL.Query().Get("code"))
	if err != nil {
		http.Error(w, "login link expired", http.StatusUnauthorized)
		return
	}
	http.SetCookie(w, session.Cookie(sess))
	http.Redirect(w, r, "/dashboard/campaigns/", http.StatusSeeOther)
}

func (a *app) handleLogout(w http.ResponseWriter, r *http.Request) {
	var sess session.Session
	if err := a.sessions.FromRequest(r, &sess); err != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	defer func() {
		if err := a.sessions.Destroy(context.WithoutCancel(r.Context()), sess.ID); err != nil { // EXPECT kvsession
			log.Printf("logout: %v", err)
		}
	}()
	http.SetCookie(w, &http.Cookie{Name: session.CookieName, Value: "", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (a *app) handleCampaign(w http.ResponseWriter, r *http.Request) {
	var sess session.Session
	if err := a.sessions.FromRequest(r, &sess); err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	ctx := r.Context()
	if err := a.sessions.Touch(ctx, &sess); err != nil {
		log.Printf("dashboard: touch: %v", err)
	}
	campaignID := strings.TrimPrefix(r.URL.Path, "/dashboard/campaigns/")
	if campaignID != "" {
		defer a.rememberRecent(context.WithoutCancel(ctx), sess.SenderID, campaignID)
	}

	var settings struct {
		Timezone string `json:"timezone"`
		Theme    string `json:"theme"`
	}
	raw, err := a.lists.Raw().GetString("settings:"+sess.SenderID, nil)
	switch {
	case err != nil:
		http.Error(w, "try again later", http.StatusServiceUnavailable)
		return
	case raw == "<null>":
		settings.Timezone, settings.Theme = "UTC", "light"
	default:
		if err := json.Unmarshal([]byte(raw), &settings); err != nil {
			settings.Timezone, settings.Theme = "UTC", "light"
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"campaign": campaignID, "settings": settings, "csrf": sess.CSRF})
}

// rememberRecent keeps the last ten campaigns a sender opened in the dashboard.
func (a *app) rememberRecent(ctx context.Context, senderID, campaignID string) {
	key := "recent:" + senderID
	var recent []string
	if err := (&edgekv.Reader{G: a.lists}).Into(ctx, key, &recent); err != nil && !errors.Is(err, edgekv.ErrNotFound) {
		return
	}
	out := []string{campaignID}
	for _, id := range recent {
		if id != campaignID && len(out) < 10 {
			out = append(out, id)
		}
	}
	_ = edgekv.PutJSON(ctx, a.lists, key, out, 30*24*time.Hour) // EXPECT kvrace
}

func (a *app) handleConnect(w http.ResponseWriter, r *http.Request) {
	var sess session.Session
	if err := a.sessions.FromRequest(r, &sess); err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	state := hex.EncodeToString(b)
	if err := a.sessNS.Put(r.Context(), "oauth-state:"+state, sess.SenderID, 30*time.Second); err != nil { // EXPECT kvttl
		http.Error(w, "try again later", http.StatusServiceUnavailable)
		return
	}
	q := url.Values{"state": {state}, "response_type": {"code"}, "client_id": {"bufflehead"}}
	http.Redirect(w, r, "https://provider.example/oauth/authorize?"+q.Encode(), http.StatusFound)
}

func (a *app) handleConnectCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	state := r.URL.Query().Get("state")
	senderID, err := a.sessNS.Get(ctx, "oauth-state:"+state)
	if err != nil {
		http.Error(w, "authorization expired, start again", http.StatusBadRequest)
		return
	}
	if err := a.sessNS.Delete(ctx, "oauth-state:"+state); err != nil { // EXPECT kvsession
		log.Printf("connect: %v", err)
	}
	log.Printf("provider connected for %s", senderID)
	http.Redirect(w, r, "/dashboard/campaigns/", http.StatusSeeOther)
}

func (a *app) handleSend(w http.ResponseWriter, r *http.Request) {
	var req struct {
		SenderID string   `json:"sender_id"`
		To       []string `json:"to"`
		Template string   `json:"template"`
	}
	fail := func(status int, msg string, err error) {
		if err != nil {
			log.Printf("send: %s: %v", msg, err)
		}
		http.Error(w, msg, status)
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		fail(http.StatusBadRequest, "bad request", err)
		return
	}
	if len(req.To) == 0 || len(req.To) > 50 {
		fail(http.StatusBadRequest, "1 to 50 recipients", nil)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	stop, err := a.usage.Reserve(ctx, req.SenderID, len(req.To))
	if errors.Is(err, quota.ErrExceeded) {
		fail(http.StatusTooManyRequests, "hourly quota exceeded", nil)
		return
	}
	if err != nil {
		fail(http.StatusServiceUnavailable, "try again later", err)
		return
	}
	var tpl struct{ Subject, HTML string }
	if err := func() error {
		var t templates.Template
		if err := a.templates.Load(ctx, req.Template, "en", &t); err != nil {
			return err
		}
		tpl.Subject, tpl.HTML = t.Subject, t.HTML
		return nil
	}(); err != nil {
		fail(http.StatusBadGateway, "template unavailable", err)
		return
	}
	log.Printf("send: %s -> %d recipients (%q)", req.SenderID, len(req.To), tpl.Subject)
	stop()
	w.WriteHeader(http.StatusAccepted)
}
