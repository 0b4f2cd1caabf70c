package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"example.com/ibex/internal/edgekv"
	"example.com/ibex/internal/tokens"
)

// oauthStateLifetime bounds how long a creator may take on the provider's
// consent screen.
const oauthStateLifetime = 10 * time.Minute

type oauthState struct {
	CreatorID string `json:"creator_id"`
	Provider  string `json:"provider"`
	Return    string `json:"return"`
}

// handleOAuthStart begins linking a distribution account (Spotify,
// YouTube) to the creator.
func (a *App) handleOAuthStart() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		state := tokens.Secret()
		st := oauthState{CreatorID: sessionFrom(r.Context()).CreatorID, Provider: r.URL.Query().Get("provider"), Return: "/settings/distribution"}
		b, _ := json.Marshal(st)
		if err := a.Edge.Write(r.Context(), "sessions", "oauth-state:"+state, b, edgekv.WithTTL(oauthStateLifetime)); err != nil {
			a.fail(w, err)
			return
		}
		q := url.Values{"state": {state}, "client_id": {"ibex"}, "response_type": {"code"}}
		http.Redirect(w, r, "https://accounts.example-provider.com/authorize?"+q.Encode(), http.StatusFound)
	}
}

// handleOAuthCallback completes the link. The state is single-use.
func (a *App) handleOAuthCallback() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		cf, account, nsID, err := a.Edge.SDK("sessions")
		if err != nil {
			a.fail(w, err)
			return
		}
		key := url.PathEscape("oauth-state:" + r.URL.Query().Get("state"))
		res, err := cf.KV.Namespaces.Values.Get(ctx, nsID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(account)})
		if edgekv.IsNotFound(err) {
			http.Error(w, "expired or unknown state", http.StatusBadRequest)
			return
		}
		if err != nil {
			a.fail(w, err)
			return
		}
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			a.fail(w, err)
			return
		}
		var st oauthState
		if err := json.Unmarshal(raw, &st); err != nil || st.CreatorID != sessionFrom(ctx).CreatorID {
			http.Error(w, "state mismatch", http.StatusBadRequest)
			return
		}
		if _, err := cf.KV.Namespaces.Values.Delete(ctx, nsID, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(account)}); err != nil { // EXPECT kvsession
			a.fail(w, err)
			return
		}
		// The code exchange with the provider happens in the distribution
		// service; hand it the code.
		http.Redirect(w, r, st.Return+"?code="+url.QueryEscape(r.URL.Query().Get("code")), http.StatusFound)
	}
}
