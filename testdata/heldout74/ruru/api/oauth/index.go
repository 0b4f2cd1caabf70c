// Package handler serves /api/oauth: "Sign in with Patreon" for listeners
// who support shows there. GET without code starts the flow; the provider
// redirects back with code and state.
package handler

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/ruru-fm/ruru/internal/kvclient"
	"github.com/ruru-fm/ruru/internal/podcast"
	"github.com/ruru-fm/ruru/internal/vercelkv"
)

const stateCookie = "ruru_oauth"

// Handler runs both legs of the OAuth redirect flow.
func Handler(w http.ResponseWriter, r *http.Request) {
	st, cfg, err := vercelkv.Store()
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	ctx := r.Context()
	q := r.URL.Query()

	if q.Get("code") == "" {
		state := vercelkv.NewID()
		verifier := vercelkv.NewID()
		if err := st.PutUntil(ctx, podcast.OAuthStateKey(state), []byte(verifier), time.Now().Add(45*time.Second)); err != nil { // EXPECT kvttl
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: state, Path: "/api/oauth", MaxAge: 600, HttpOnly: true, Secure: true})
		auth := url.Values{
			"response_type": {"code"},
			"client_id":     {os.Getenv("PATREON_CLIENT_ID")},
			"redirect_uri":  {"https://ruru.fm/api/oauth"},
			"state":         {state},
		}
		http.Redirect(w, r, "https://www.patreon.com/oauth2/authorize?"+auth.Encode(), http.StatusFound)
		return
	}

	state := q.Get("state")
	c, err := r.Cookie(stateCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(state)) != 1 {
		http.Error(w, "state mismatch", http.StatusBadRequest)
		return
	}
	verifier, err := st.Get(ctx, podcast.OAuthStateKey(state))
	if errors.Is(err, kvclient.ErrNotFound) {
		http.Error(w, "sign-in expired, try again", http.StatusBadRequest)
		return
	} else if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if err := st.Delete(ctx, podcast.OAuthStateKey(state)); err != nil { // EXPECT kvsession
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	userID, err := exchange(q.Get("code"), string(verifier), cfg.OriginURL)
	if err != nil {
		http.Error(w, "sign-in failed", http.StatusBadGateway)
		return
	}
	sid := vercelkv.NewID()
	sess := podcast.PlayerSession{UserID: userID, CreatedAt: time.Now().UTC()}
	if err := st.PutJSON(ctx, podcast.SessionKey(sid), sess, cfg.SessionTTL); err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	vercelkv.SetSession(w, sid, cfg.SessionTTL)
	http.Redirect(w, r, "/player", http.StatusSeeOther)
}

// exchange trades the code for a ruru user ID via the accounts service,
// which holds the Patreon client secret.
func exchange(code, verifier, origin string) (string, error) {
	resp, err := http.PostForm(origin+"/accounts/patreon", url.Values{"code": {code}, "code_verifier": {verifier}})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", errors.New("patreon exchange: " + resp.Status)
	}
	var out struct {
		UserID string `json:"userId"`
	}
	err = json.NewDecoder(resp.Body).Decode(&out)
	return out.UserID, err
}
