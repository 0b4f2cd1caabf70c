package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"example.com/beacon/internal/campaign"
	"example.com/beacon/internal/consts"
	"example.com/beacon/internal/device"
	"example.com/beacon/internal/kvstore"
	"example.com/beacon/internal/receipts"
	"example.com/beacon/internal/session"
	"example.com/beacon/internal/tenant"
)

const cookieName = "beacon_session"

type ctxKey struct{}

func sessionFrom(ctx context.Context) session.Session {
	s, _ := ctx.Value(ctxKey{}).(session.Session)
	return s
}

// requireSession rejects requests without a live console session and keeps
// the session alive while the admin is active.
type requireSession struct {
	sessions *session.Manager
	next     http.Handler
}

func (h requireSession) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var s session.Session
	c, err := r.Cookie(cookieName)
	if err == nil {
		s, err = h.sessions.Validate(r.Context(), c.Value)
	}
	switch {
	case err != nil:
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "login required"})
		return
	case r.Method != http.MethodGet && r.Header.Get("X-CSRF-Token") != s.CSRF,
		r.PathValue("tenant") != "" && r.PathValue("tenant") != s.TenantID && !s.Has("support"):
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "forbidden"})
		return
	}
	if err := h.sessions.Touch(r.Context(), s.ID); err != nil {
		slog.Warn("touch session", "err", err)
	}
	h.next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, s)))
}

// authHandler serves POST /v1/admin/auth/{step}: the password and code steps
// of sign-in, refresh-token rotation and password reset.
type authHandler struct {
	auth      *session.Authenticator
	refresher *session.Refresher
	resets    *session.Resets
}

func (h authHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct{ Email, Password, Challenge, Code, Token string }
	if err := decode(r, &body); err != nil {
		badRequest(w, "invalid JSON body")
		return
	}
	ctx := r.Context()
	var (
		out any
		s   session.Session
		err error
	)
	switch r.PathValue("step") {
	case "password":
		var id string
		id, err = h.auth.CheckPassword(ctx, body.Email, body.Password)
		out = map[string]string{"challenge": id, "next": "code"}
	case "code":
		s, err = h.auth.VerifyCode(ctx, body.Challenge, body.Code)
		out = map[string]string{"csrf": s.CSRF, "tenant": s.TenantID}
	case "refresh":
		var next session.RefreshToken
		s, next, err = h.refresher.Rotate(ctx, body.Token)
		out = map[string]string{"csrf": s.CSRF, "refresh_token": next.ID}
	case "reset":
		err = h.resets.Complete(ctx, body.Token, body.Password)
	default:
		badRequest(w, "unknown step")
		return
	}
	if err == nil && s.ID != "" {
		http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.ID, Path: "/", HttpOnly: true, Secure: true,
			SameSite: http.SameSiteStrictMode, Expires: s.ExpiresAt})
	}
	reply(w, r, http.StatusOK, out, err)
}

type logoutHandler struct{ sessions *session.Manager }

func (h logoutHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	err := h.sessions.Logout(r.Context(), sessionFrom(r.Context()).ID)
	http.SetCookie(w, &http.Cookie{Name: cookieName, Path: "/", MaxAge: -1})
	reply(w, r, http.StatusNoContent, nil, err)
}

type countHandler struct{ devices *device.Service }

func (h countHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n, err := h.devices.CountForTenant(r.Context(), r.PathValue("tenant"))
	reply(w, r, http.StatusOK, map[string]int{"devices": n}, err)
}

type createCampaignHandler struct{ campaigns *campaign.Store }

func (h createCampaignHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var c campaign.Campaign
	if err := decode(r, &c); err != nil {
		badRequest(w, "invalid JSON body")
		return
	}
	c.TenantID = r.PathValue("tenant")
	c, err := h.campaigns.Create(r.Context(), c)
	reply(w, r, http.StatusCreated, c, err)
}

// campaignOpHandler applies a console action and appends it to the
// campaign's plain-text history, whatever the outcome.
type campaignOpHandler struct {
	campaigns *campaign.Store
	history   kvstore.Store
}

func (h campaignOpHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tenantID, id, name := r.PathValue("tenant"), r.PathValue("id"), r.PathValue("op")
	var err error
	defer func() {
		key := consts.PrefixCampaign.Key(tenantID, id, "history")
		prev, gerr := h.history.Get(ctx, key)
		if gerr != nil && !errors.Is(gerr, kvstore.ErrNotFound) {
			return
		}
		line := fmt.Sprintf("%s %s %s err=%v\n", time.Now().UTC().Format(time.RFC3339), sessionFrom(ctx).Email, name, err)
		if perr := h.history.Put(ctx, key, append(prev, line...), kvstore.PutOptions{TTL: consts.CampaignTTL}); perr != nil { // EXPECT kvrace
			slog.Warn("campaign history", "err", perr)
		}
	}()

	at, _ := time.Parse(time.RFC3339, r.URL.Query().Get("at"))
	op, err := campaign.ParseOp(name, at)
	if err != nil {
		badRequest(w, err.Error())
		return
	}
	c, err := h.campaigns.Apply(ctx, tenantID, id, op)
	reply(w, r, http.StatusOK, c, err)
}

type receiptsHandler struct{ receipts *receipts.Recorder }

func (h receiptsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tenantID, id := r.PathValue("tenant"), r.PathValue("id")
	if r.URL.Query().Get("format") == "full" {
		all, err := h.receipts.ForCampaign(r.Context(), tenantID, id)
		reply(w, r, http.StatusOK, all, err)
		return
	}
	rows, cursor, err := h.receipts.Page(r.Context(), tenantID, id, r.URL.Query().Get("cursor"))
	reply(w, r, http.StatusOK, map[string]any{"receipts": rows, "cursor": cursor}, err)
}

type bundleHandler struct{ tenants *tenant.Cache }

func (h bundleHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	err := h.tenants.ClaimBundle(r.Context(), r.PathValue("tenant"), r.PathValue("bundle"))
	reply(w, r, http.StatusNoContent, nil, err)
}
