package slackbot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/hornbill-billing/hornbill/internal/kvstore"
)

// Installation is what hornbill remembers about a workspace.
type Installation struct {
	TeamID      string `json:"team_id"`
	TeamName    string `json:"team_name"`
	BotUserID   string `json:"bot_user_id"`
	InstalledBy string `json:"installed_by"`
	CustomerID  string `json:"customer_id"`
	InstalledAt int64  `json:"installed_at"`
}

// tokenRecord is the workspace's rotating bot token.
type tokenRecord struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresAt    int64  `json:"expires_at"`
}

const (
	oauthStateTTL = 10 * time.Minute
	// refreshSkew is how long before expiry a token is treated as expired,
	// so that calls in flight do not fail.
	refreshSkew = 5 * time.Minute
)

func installKey(teamID string) string { return "slack:install:" + teamID }
func tokenKey(teamID string) string   { return "slack:token:" + teamID }

func (a *App) installation(ctx context.Context, teamID string) (Installation, error) {
	var inst Installation
	err := a.kv.GetJSON(ctx, installKey(teamID), &inst)
	return inst, err
}

// Routes registers the install and OAuth callback endpoints.
func (a *App) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /slack/install", a.startInstall)
	mux.HandleFunc("GET /slack/oauth/callback", a.oauthCallback)
}

func (a *App) startInstall(w http.ResponseWriter, r *http.Request) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	state := hex.EncodeToString(b)
	meta, _ := json.Marshal(map[string]string{"customer": r.URL.Query().Get("customer")})
	if err := a.kv.Put(r.Context(), "slack:oauth_state:"+state, meta, oauthStateTTL); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	q := url.Values{
		"client_id":    {a.cfg.ClientID},
		"scope":        {"commands,chat:write,chat:write.public"},
		"redirect_uri": {a.cfg.RedirectURL},
		"state":        {state},
	}
	http.Redirect(w, r, "https://slack.com/oauth/v2/authorize?"+q.Encode(), http.StatusFound)
}

func (a *App) oauthCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	stateKey := "slack:oauth_state:" + r.URL.Query().Get("state")
	raw, err := a.kv.Get(ctx, stateKey)
	if err != nil {
		http.Error(w, "install link expired, start again", http.StatusBadRequest)
		return
	}
	_ = a.kv.Delete(ctx, stateKey) // EXPECT kvsession
	var meta struct {
		Customer string `json:"customer"`
	}
	_ = json.Unmarshal(raw, &meta)

	resp, err := slack.GetOAuthV2ResponseContext(ctx, a.http, a.cfg.ClientID, a.cfg.ClientSecret, r.URL.Query().Get("code"), a.cfg.RedirectURL)
	if err != nil {
		http.Error(w, "slack refused the install", http.StatusBadGateway)
		return
	}
	inst := Installation{
		TeamID:      resp.Team.ID,
		TeamName:    resp.Team.Name,
		BotUserID:   resp.BotUserID,
		InstalledBy: resp.AuthedUser.ID,
		CustomerID:  meta.Customer,
		InstalledAt: time.Now().Unix(),
	}
	if err := a.kv.PutJSON(ctx, installKey(inst.TeamID), inst, 0); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	if err := a.saveToken(ctx, inst.TeamID, resp); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	http.Redirect(w, r, "/slack/installed", http.StatusFound)
}

// saveToken stores the bot token until shortly before Slack expires it.
func (a *App) saveToken(ctx context.Context, teamID string, resp *slack.OAuthV2Response) error {
	rec := tokenRecord{AccessToken: resp.AccessToken, RefreshToken: resp.RefreshToken}
	if resp.ExpiresIn == 0 {
		return a.kv.PutJSON(ctx, tokenKey(teamID), rec, 0)
	}
	expiresAt := time.Now().Add(time.Duration(resp.ExpiresIn) * time.Second)
	rec.ExpiresAt = expiresAt.Unix()
	return a.kv.PutJSON(ctx, tokenKey(teamID), rec,
		time.Until(expiresAt.Add(-refreshSkew))) // EXPECT kvttl
}

// RefreshToken rotates the workspace's bot token when it is close to expiry.
// A cron job calls it for every installation once an hour.
func (a *App) RefreshToken(ctx context.Context, teamID string) error {
	var rec tokenRecord
	if err := a.kv.GetJSON(ctx, tokenKey(teamID), &rec); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil
		}
		return err
	}
	if rec.RefreshToken == "" || time.Until(time.Unix(rec.ExpiresAt, 0)) > 2*time.Hour {
		return nil
	}
	resp, err := slack.RefreshOAuthV2TokenContext(ctx, a.http, a.cfg.ClientID, a.cfg.ClientSecret, rec.RefreshToken)
	if err != nil {
		return err
	}
	next := tokenRecord{
		AccessToken:  resp.AccessToken,
		RefreshToken: resp.RefreshToken,
		ExpiresAt:    time.Now().Add(time.Duration(resp.ExpiresIn) * time.Second).Unix(),
	}
	ttl := max(time.Duration(resp.ExpiresIn)*time.Second-refreshSkew, time.Hour)
	return a.kv.PutJSON(ctx, tokenKey(teamID), next, ttl) // DEBATABLE kvsession
}

// onUninstalled forgets a workspace when the app is removed or its tokens
// are revoked.
func (a *App) onUninstalled(ctx context.Context, teamID string, _ slackevents.EventsAPIInnerEvent) error {
	if err := a.kv.Delete(ctx, tokenKey(teamID)); err != nil { // EXPECT kvsession
		return err
	}
	return a.kv.Delete(ctx, installKey(teamID))
}
