package slackapp

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/slack-go/slack"

	"github.com/accentor/accentor/internal/kvstore"
)

// OAuthConfig is the Slack app's distribution settings.
type OAuthConfig struct {
	ClientID     string
	ClientSecret string
	RedirectURL  string
	HomeTeamID   string
	Scopes       string
}

// Installation is one workspace's install, slack:install:<team>. The access
// token itself is cached separately under slack:access:<team> with a TTL
// matching its expiry, because token rotation is enabled.
type Installation struct {
	TeamID          string    `json:"team_id"`
	TeamName        string    `json:"team_name"`
	BotUserID       string    `json:"bot_user_id"`
	RefreshToken    string    `json:"refresh_token"`
	InstalledBy     string    `json:"installed_by"`
	InstalledAt     time.Time `json:"installed_at"`
	AnnounceChannel string    `json:"announce_channel,omitempty"`
}

type accessToken struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

const (
	installPrefix = "slack:install:"
	accessPrefix  = "slack:access:"
	statePrefix   = "slack:oauth-state:"
	refreshSkew   = 5 * time.Minute
)

var errNotInstalled = errors.New("slack app is not installed in this workspace")

// Installations stores per-workspace OAuth data.
type Installations struct {
	ns    *kvstore.Namespace
	oauth OAuthConfig
}

func listParams(accountID, prefix string) kv.NamespaceKeyListParams {
	return kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	}
}

// Load returns the workspace's installation.
func (in *Installations) Load(ctx context.Context, teamID string) (Installation, error) {
	var inst Installation
	err := in.ns.GetJSON(ctx, installPrefix+teamID, &inst)
	if errors.Is(err, kvstore.ErrNotFound) {
		return inst, errNotInstalled
	}
	return inst, err
}

// AccessToken returns a bot token for the workspace, refreshing it through
// the rotation flow when the cached one is missing or about to expire.
func (in *Installations) AccessToken(ctx context.Context, teamID string) (string, error) {
	var at accessToken
	err := in.ns.GetJSON(ctx, accessPrefix+teamID, &at)
	if err == nil && time.Until(at.ExpiresAt) > refreshSkew {
		return at.Token, nil
	}
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return "", err
	}
	return in.rotate(ctx, teamID)
}

// rotate exchanges the stored refresh token for a new access/refresh pair.
func (in *Installations) rotate(ctx context.Context, teamID string) (string, error) {
	inst, err := in.Load(ctx, teamID)
	if err != nil {
		return "", err
	}
	resp, err := slack.RefreshOAuthV2TokenContext(ctx, http.DefaultClient, in.oauth.ClientID, in.oauth.ClientSecret, inst.RefreshToken)
	if err != nil {
		return "", fmt.Errorf("refresh slack token for %s: %w", teamID, err)
	}
	expiresAt := time.Now().Add(time.Duration(resp.ExpiresIn) * time.Second)
	inst.RefreshToken = resp.RefreshToken
	if err := in.ns.PutJSON(ctx, installPrefix+teamID, inst, 0); err != nil { // EXPECT kvsession|kvrace
		return "", err
	}
	at := accessToken{Token: resp.AccessToken, ExpiresAt: expiresAt}
	if err := in.ns.PutJSON(ctx, accessPrefix+teamID, at,
		time.Until(expiresAt.Add(-refreshSkew)), // EXPECT kvttl
	); err != nil {
		return "", err
	}
	return resp.AccessToken, nil
}

// Remove forgets everything stored for an uninstalled workspace.
func (in *Installations) Remove(ctx context.Context, teamID string) error {
	var errs []error
	for _, key := range []string{installPrefix + teamID, accessPrefix + teamID} {
		errs = append(errs, in.ns.Delete(ctx, key)) // EXPECT kvsession
	}
	return errors.Join(errs...)
}

// ForgetAccessToken drops the cached bot token after tokens_revoked.
func (in *Installations) ForgetAccessToken(ctx context.Context, teamID string) error {
	return in.ns.Delete(ctx, accessPrefix+teamID) // EXPECT kvsession
}

// InstallHandler starts the OAuth flow: it parks a random state value in KV
// and redirects to Slack's consent screen.
func (in *Installations) InstallHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 24)
		if _, err := rand.Read(buf); err != nil {
			http.Error(w, "entropy", http.StatusInternalServerError)
			return
		}
		state := base64.RawURLEncoding.EncodeToString(buf)
		if err := in.ns.Put(r.Context(), statePrefix+state, []byte(r.RemoteAddr), 10*time.Minute); err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		q := url.Values{
			"client_id":    {in.oauth.ClientID},
			"scope":        {in.oauth.Scopes},
			"redirect_uri": {in.oauth.RedirectURL},
			"state":        {state},
		}
		http.Redirect(w, r, "https://slack.com/oauth/v2/authorize?"+q.Encode(), http.StatusFound)
	})
}

// CallbackHandler finishes the OAuth flow.
func (in *Installations) CallbackHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		state := r.URL.Query().Get("state")
		if state == "" {
			http.Error(w, "missing state", http.StatusBadRequest)
			return
		}
		if _, err := in.ns.Get(ctx, statePrefix+state); err != nil {
			http.Error(w, "unknown or expired state", http.StatusBadRequest)
			return
		}
		if err := in.ns.Delete(ctx, statePrefix+state); err != nil { // EXPECT kvsession
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		resp, err := slack.GetOAuthV2ResponseContext(ctx, http.DefaultClient, in.oauth.ClientID, in.oauth.ClientSecret,
			r.URL.Query().Get("code"), in.oauth.RedirectURL)
		if err != nil {
			http.Error(w, "slack refused the code", http.StatusBadGateway)
			return
		}
		inst := Installation{
			TeamID:       resp.Team.ID,
			TeamName:     resp.Team.Name,
			BotUserID:    resp.BotUserID,
			RefreshToken: resp.RefreshToken,
			InstalledBy:  resp.AuthedUser.ID,
			InstalledAt:  time.Now().UTC(),
		}
		if err := in.ns.PutJSON(ctx, installPrefix+inst.TeamID, inst, 0); err != nil { // DEBATABLE kvsession
			http.Error(w, "could not save installation", http.StatusInternalServerError)
			return
		}
		ttl := max(time.Duration(resp.ExpiresIn)*time.Second-refreshSkew, kvstore.MinTTL)
		at := accessToken{Token: resp.AccessToken, ExpiresAt: time.Now().Add(time.Duration(resp.ExpiresIn) * time.Second)}
		if err := in.ns.PutJSON(ctx, accessPrefix+inst.TeamID, at, ttl); err != nil {
			http.Error(w, "could not save token", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "Installed in %s. You can close this tab.", inst.TeamName)
	})
}
