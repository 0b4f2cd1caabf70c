// Package hooksapi is the HTTP surface of the webhook and preview service,
// including the dashboard session endpoints and the device login flow.
package hooksapi

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"

	"example.com/petrel/internal/cfv4"
	"example.com/petrel/internal/cfv4/kvparams"
	"example.com/petrel/internal/devicelogin"
	"example.com/petrel/internal/ident"
	"example.com/petrel/internal/middleware"
	"example.com/petrel/internal/previews"
	"example.com/petrel/internal/storage"
	"example.com/petrel/internal/webhooks"
)

// SSO verifies the identity provider's callback.
type SSO interface {
	Verify(r *http.Request) (userID, team string, err error)
}

type Handler struct {
	hooks      *webhooks.Registry
	previews   *previews.Service
	device     *devicelogin.Service
	st         storage.Store
	sso        SSO
	client     *cloudflare.Client
	account    string
	ns         string
	sessionTTL time.Duration
}

func ProvideHandler(a *cfv4.Adapter, reg *webhooks.Registry, pv *previews.Service, dev *devicelogin.Service, sso SSO, sessionTTL time.Duration) *Handler {
	c, acct, ns := a.Client()
	return &Handler{hooks: reg, previews: pv, device: dev, st: a, sso: sso, client: c, account: acct, ns: ns, sessionTTL: sessionTTL}
}

func (h *Handler) Routes() *http.ServeMux {
	signedIn := middleware.Sessions(h.st, h.sessionTTL)
	mux := http.NewServeMux()
	mux.HandleFunc("/login/callback", h.handleLogin)
	mux.HandleFunc("/logout", h.handleLogout)
	mux.Handle("/api/webhooks", signedIn(http.HandlerFunc(h.handleWebhooks)))
	mux.Handle("/api/previews", signedIn(http.HandlerFunc(h.handlePreviews)))
	mux.Handle("/api/device/approve", signedIn(http.HandlerFunc(h.handleApprove)))
	mux.HandleFunc("/oauth/device/code", h.handleDeviceCode)
	mux.HandleFunc("/oauth/token", h.handleToken)
	mux.HandleFunc("/p/", h.handleAlias)
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, storage.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, previews.ErrHostTaken):
		status = http.StatusConflict
	case errors.Is(err, ident.ErrInvalid), errors.Is(err, devicelogin.ErrPending), errors.Is(err, devicelogin.ErrSlowDown),
		errors.Is(err, devicelogin.ErrExpired), errors.Is(err, devicelogin.ErrDenied):
		status = http.StatusBadRequest
	default:
		log.Printf("hooksapi: %v", err)
		err = errors.New("internal error")
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(v); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return false
	}
	return true
}

// handleLogin creates a dashboard session after single sign-on.
func (h *Handler) handleLogin(w http.ResponseWriter, r *http.Request) {
	userID, team, err := h.sso.Verify(r)
	if err != nil {
		http.Error(w, "sign-in failed", http.StatusUnauthorized)
		return
	}
	raw := make([]byte, 24)
	_, _ = rand.Read(raw)
	now := time.Now().UTC()
	sess := middleware.Session{ID: base64.RawURLEncoding.EncodeToString(raw), UserID: userID, Team: team, Created: now, LastSeen: now}
	b, _ := json.Marshal(sess)
	if err := h.st.Put(r.Context(), middleware.SessionKey(sess.ID), b, storage.PutOptions{TTL: h.sessionTTL}); err != nil {
		fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: middleware.SessionCookie, Value: sess.ID, Path: "/", HttpOnly: true, Secure: true, MaxAge: int(h.sessionTTL.Seconds())})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (h *Handler) handleLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(middleware.SessionCookie); err == nil && c.Value != "" {
		key := url.PathEscape(middleware.SessionKey(c.Value))
		if _, err := h.client.KV.Namespaces.Values.Delete(r.Context(), h.ns, key, kvparams.Delete(h.account)); err != nil && !cfv4.IsMissing(err) { // EXPECT kvsession
			log.Printf("hooksapi: logout: %v", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: middleware.SessionCookie, Value: "", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/signed-out", http.StatusSeeOther)
}

func (h *Handler) handleAlias(w http.ResponseWriter, r *http.Request) {
	alias := r.URL.Path[len("/p/"):]
	if alias == "" || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	http.Redirect(w, r, h.previews.ResolveAlias(r.Context(), alias), http.StatusFound)
}

func (h *Handler) handleWebhooks(w http.ResponseWriter, r *http.Request) {
	s, _ := middleware.CurrentSession(r.Context())
	team := ident.TeamID(s.Team)
	var body struct {
		ID     ident.EndpointID `json:"id"`
		URL    string           `json:"url"`
		Events []string         `json:"events"`
	}
	switch r.Method {
	case http.MethodGet:
		eps, err := h.hooks.ForTeam(r.Context(), team)
		if err != nil {
			fail(w, err)
			return
		}
		prefs, err := h.hooks.Prefs(r.Context(), team)
		if err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"endpoints": eps, "prefs": prefs})
	case http.MethodPost:
		if decode(w, r, &body) {
			h.createEndpoint(w, r, team, body.URL, body.Events)
		}
	case http.MethodPatch:
		if !decode(w, r, &body) {
			return
		}
		ep, err := h.hooks.Update(r.Context(), body.ID, body.URL, body.Events)
		if err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, ep)
	default:
		w.Header().Set("Allow", "GET, POST, PATCH")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (h *Handler) createEndpoint(w http.ResponseWriter, r *http.Request, team ident.TeamID, target string, events []string) {
	ep, err := h.hooks.Create(r.Context(), team, target, events)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	secret, err := h.hooks.SigningSecret(r.Context(), ep.ID)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"endpoint": ep, "signing_secret": secret})
}

func (h *Handler) handlePreviews(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		cursor, err := h.previews.ExportPage(r.Context(), w, r.URL.Query().Get("cursor"))
		if err != nil {
			log.Printf("hooksapi: previews page: %v", err)
		}
		w.Header().Set("X-Next-Cursor", cursor)
		return
	}
	var body struct {
		Project string         `json:"project"`
		Branch  string         `json:"branch"`
		Deploy  ident.DeployID `json:"deploy"`
		Commit  string         `json:"commit"`
		LogTail string         `json:"log_tail"`
	}
	if !decode(w, r, &body) {
		return
	}
	host, err := h.previews.Claim(r.Context(), body.Project, body.Branch)
	if err != nil {
		fail(w, err)
		return
	}
	p := &previews.Preview{Host: host, Project: body.Project, Branch: body.Branch, Deploy: body.Deploy, Commit: body.Commit, CreatedAt: time.Now().UTC()}
	if err := h.previews.Publish(r.Context(), p); err != nil {
		fail(w, err)
		return
	}
	if err := h.previews.SaveLogTail(r.Context(), body.Deploy, []byte(body.LogTail), 30*time.Second); err != nil {
		log.Printf("hooksapi: log tail: %v", err)
	}
	writeJSON(w, http.StatusCreated, p)
}

func (h *Handler) handleApprove(w http.ResponseWriter, r *http.Request) {
	s, _ := middleware.CurrentSession(r.Context())
	if err := h.device.Approve(r.Context(), r.FormValue("user_code"), s.UserID); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) handleDeviceCode(w http.ResponseWriter, r *http.Request) {
	auth, err := h.device.Start(r.Context(), r.FormValue("client_id"), r.FormValue("scope"))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, auth)
}

func (h *Handler) handleToken(w http.ResponseWriter, r *http.Request) {
	if r.FormValue("grant_type") != "urn:ietf:params:oauth:grant-type:device_code" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	tok, err := h.device.Poll(r.Context(), r.FormValue("device_code"))
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, tok)
}
