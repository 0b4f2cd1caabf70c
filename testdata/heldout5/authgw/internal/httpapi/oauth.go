package httpapi

import (
	"errors"
	"net/http"
	"net/url"

	"example.com/authgw/internal/middleware"
	"example.com/authgw/internal/oauth"
)

// upstreamLogin sends the browser to an external identity provider.
func (a *API) upstreamLogin(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("provider")
	prov, ok := a.d.Providers[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	state, challenge, err := a.d.BeginUpstream(r.Context(), name, safeReturn(r.URL.Query().Get("return_to")))
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, "could not start login", err)
		return
	}
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {prov.ClientID},
		"redirect_uri":          {a.d.CallbackURL},
		"scope":                 {prov.Scopes},
		"state":                 {state},
		"code_challenge":        {challenge},
		"code_challenge_method": {"S256"},
	}
	http.Redirect(w, r, prov.AuthURL+"?"+q.Encode(), http.StatusFound)
}

// upstreamCallback finishes an external login.
func (a *API) upstreamCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	pending, err := a.d.ConsumeState(ctx, q.Get("state"))
	if errors.Is(err, oauth.ErrBadState) {
		a.fail(w, r, http.StatusBadRequest, "login expired, please start again", nil)
		return
	}
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, "login failed", err)
		return
	}
	if e := q.Get("error"); e != "" {
		a.record(r, "anonymous", "login.oauth."+pending.Provider, e, false)
		http.Redirect(w, r, "/login?error=denied", http.StatusSeeOther)
		return
	}
	email, err := a.d.ExchangeUpstream(ctx, pending.Provider, q.Get("code"), pending.Verifier)
	if err != nil {
		a.fail(w, r, http.StatusBadGateway, "provider exchange failed", err)
		return
	}
	u, err := a.d.UserByEmail(ctx, email)
	if err != nil {
		a.fail(w, r, http.StatusForbidden, "no account linked to this identity", nil)
		return
	}
	s, err := a.d.CreateSession(ctx, u.ID, r.UserAgent())
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, "login failed", err)
		return
	}
	a.record(r, u.ID, "login.oauth."+pending.Provider, email, true)
	setSessionCookie(w, s.ID, s.ExpiresAt)
	http.Redirect(w, r, pending.ReturnTo, http.StatusSeeOther)
}

// authorize is the authorization endpoint for first-party apps. The user is
// already signed in (RequireSession runs first).
func (a *API) authorize(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := middleware.PrincipalFrom(ctx)
	q := r.URL.Query()
	if q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" {
		a.fail(w, r, http.StatusBadRequest, "unsupported request", nil)
		return
	}
	clientID, redirect := q.Get("client_id"), q.Get("redirect_uri")
	if _, err := a.d.CheckRedirect(ctx, clientID, redirect); err != nil {
		// Never redirect to an unverified URI.
		a.fail(w, r, http.StatusBadRequest, "invalid client or redirect_uri", nil)
		return
	}
	code, err := a.d.IssueCode(ctx, oauth.Grant{
		ClientID: clientID, UserID: p.UserID, RedirectURI: redirect,
		Challenge: q.Get("code_challenge"), Scope: q.Get("scope"),
	})
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, "could not issue code", err)
		return
	}
	u, _ := url.Parse(redirect)
	rq := u.Query()
	rq.Set("code", code)
	if st := q.Get("state"); st != "" {
		rq.Set("state", st)
	}
	u.RawQuery = rq.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// token is the token endpoint: authorization_code and refresh_token grants.
func (a *API) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, http.StatusBadRequest, "invalid_request", nil)
		return
	}
	ctx := r.Context()
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		g, err := a.d.RedeemCode(ctx, r.PostForm.Get("code"), r.PostForm.Get("client_id"),
			r.PostForm.Get("redirect_uri"), r.PostForm.Get("code_verifier"))
		if errors.Is(err, oauth.ErrReplayed) {
			// RFC 6749 §4.1.2: revoke what the first redemption issued.
			_, _ = a.d.RevokeRefresh(ctx, g.UserID)
			a.record(r, g.UserID, "oauth.code.replay", g.ClientID, false)
			a.fail(w, r, http.StatusBadRequest, "invalid_grant", nil)
			return
		}
		if err != nil {
			a.fail(w, r, http.StatusBadRequest, "invalid_grant", nil)
			return
		}
		rt, err := a.d.IssueRefresh(ctx, g.UserID)
		if err != nil {
			a.fail(w, r, http.StatusInternalServerError, "server_error", err)
			return
		}
		a.record(r, g.UserID, "oauth.token", g.ClientID, true)
		writeJSON(w, http.StatusOK, map[string]any{"token_type": "refresh", "refresh_token": rt, "scope": g.Scope})
	case "refresh_token":
		next, uid, err := a.d.RotateRefresh(ctx, r.PostForm.Get("refresh_token"))
		if err != nil {
			a.fail(w, r, http.StatusBadRequest, "invalid_grant", nil)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"token_type": "refresh", "refresh_token": next, "sub": uid})
	default:
		a.fail(w, r, http.StatusBadRequest, "unsupported_grant_type", nil)
	}
}
