// Package install keeps Slack workspace installations: the bot token a team
// granted us, its refresh token when token rotation is on, and the OAuth
// state used while an install is in flight.
package install

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/parula-labs/parula/internal/kvstore"
)

// refreshSkew is how long before Slack's expiry we stop trusting a cached token.
const refreshSkew = 5 * time.Minute

// stateTTL bounds how long a user has to finish the Slack consent screen.
const stateTTL = 10 * time.Minute

// Installation is one workspace's grant.
type Installation struct {
	TeamID       string    `json:"team_id"`
	TeamName     string    `json:"team_name"`
	EnterpriseID string    `json:"enterprise_id,omitempty"`
	BotUserID    string    `json:"bot_user_id"`
	BotToken     string    `json:"bot_token"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	ExpiresAt    time.Time `json:"expires_at,omitzero"`
	Scopes       []string  `json:"scopes"`
	InstalledBy  string    `json:"installed_by"`
	InstalledAt  time.Time `json:"installed_at"`
}

// Registry reads and writes installations in KV.
type Registry struct {
	kv           *kvstore.Namespace
	clientID     string
	clientSecret string
	redirectURI  string
	httpClient   *http.Client
}

func NewRegistry(kv *kvstore.Namespace, clientID, clientSecret, redirectURI string) *Registry {
	return &Registry{
		kv:           kv,
		clientID:     clientID,
		clientSecret: clientSecret,
		redirectURI:  redirectURI,
		httpClient:   &http.Client{Timeout: 10 * time.Second},
	}
}

func installKey(team string) string         { return "install:" + team }
func botTokenKey(team string) string        { return "bottoken:" + team }
func userTokenKey(team, user string) string { return "usertoken:" + team + ":" + user }
func stateKey(state string) string          { return "oauth_state:" + state }

// ErrNotInstalled is returned when a team has no installation on record.
var ErrNotInstalled = errors.New("install: team not installed")

// Load returns the installation for team.
func (r *Registry) Load(ctx context.Context, team string) (*Installation, error) {
	var inst Installation
	if err := r.kv.GetJSON(ctx, installKey(team), &inst); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, ErrNotInstalled
		}
		return nil, err
	}
	return &inst, nil
}

// BeginOAuth mints a state value for the Slack authorize URL.
func (r *Registry) BeginOAuth(ctx context.Context, returnTo string) (string, error) {
	buf := make([]byte, 18)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	state := hex.EncodeToString(buf)
	if err := r.kv.PutTTL(ctx, stateKey(state), []byte(returnTo), stateTTL); err != nil { // DEBATABLE kvsession
		return "", err
	}
	return state, nil
}

// ConsumeState checks that state was minted by BeginOAuth and returns where
// the user wanted to land afterwards. A state can be used once.
func (r *Registry) ConsumeState(ctx context.Context, state string) (string, error) {
	if state == "" {
		return "", errors.New("install: missing state")
	}
	returnTo, err := r.kv.Get(ctx, stateKey(state))
	if err != nil {
		return "", fmt.Errorf("install: unknown state: %w", err)
	}
	if err := r.kv.Delete(ctx, stateKey(state)); err != nil { // EXPECT kvsession
		return "", err
	}
	return string(returnTo), nil
}

// Complete exchanges the OAuth code and records the installation.
func (r *Registry) Complete(ctx context.Context, code string) (*Installation, error) {
	resp, err := slack.GetOAuthV2ResponseContext(ctx, r.httpClient, r.clientID, r.clientSecret, code, r.redirectURI)
	if err != nil {
		return nil, fmt.Errorf("install: oauth exchange: %w", err)
	}
	inst := fromOAuth(resp)
	inst.InstalledAt = time.Now().UTC()
	if err := r.kv.PutJSON(ctx, installKey(inst.TeamID), inst, 0); err != nil {
		return nil, err
	}
	if resp.ExpiresIn > 0 {
		// Cache the short-lived token on its own so the hot path does not
		// decode the whole installation record.
		if err := r.kv.PutTTL(ctx, botTokenKey(inst.TeamID), []byte(resp.AccessToken), time.Duration(resp.ExpiresIn)*time.Second-refreshSkew); err != nil { // EXPECT kvttl
			return nil, err
		}
	}
	return inst, nil
}

func fromOAuth(resp *slack.OAuthV2Response) *Installation {
	inst := &Installation{
		TeamID:       resp.Team.ID,
		TeamName:     resp.Team.Name,
		EnterpriseID: resp.Enterprise.ID,
		BotUserID:    resp.BotUserID,
		BotToken:     resp.AccessToken,
		RefreshToken: resp.RefreshToken,
		Scopes:       strings.Split(resp.Scope, ","),
		InstalledBy:  resp.AuthedUser.ID,
	}
	if resp.ExpiresIn > 0 {
		inst.ExpiresAt = time.Now().Add(time.Duration(resp.ExpiresIn) * time.Second)
	}
	return inst
}

// BotToken returns a usable bot token for team, rotating it when Slack's
// token rotation says it is about to expire.
func (r *Registry) BotToken(ctx context.Context, team string) (string, error) {
	raw, err := r.kv.Get(ctx, botTokenKey(team))
	if err == nil {
		return string(raw), nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return "", err
	}
	inst, err := r.Load(ctx, team)
	if err != nil {
		return "", err
	}
	if inst.RefreshToken == "" || time.Until(inst.ExpiresAt) > refreshSkew {
		return inst.BotToken, nil
	}
	inst, err = r.rotate(ctx, inst)
	if err != nil {
		return "", err
	}
	return inst.BotToken, nil
}

// rotate trades the refresh token for a new pair and stores it back on the
// installation record.
func (r *Registry) rotate(ctx context.Context, inst *Installation) (*Installation, error) {
	resp, err := slack.RefreshOAuthV2TokenContext(ctx, r.httpClient, r.clientID, r.clientSecret, inst.RefreshToken)
	if err != nil {
		return nil, fmt.Errorf("install: refresh for %s: %w", inst.TeamID, err)
	}
	inst.BotToken = resp.AccessToken
	inst.RefreshToken = resp.RefreshToken
	inst.ExpiresAt = time.Now().Add(time.Duration(resp.ExpiresIn) * time.Second)
	if err := r.kv.PutJSON(ctx, installKey(inst.TeamID), inst, 0); err != nil { // EXPECT kvsession|kvrace
		return nil, err
	}
	return inst, nil
}

// SaveUserToken keeps a user-scoped token granted through "Sign in with Slack".
func (r *Registry) SaveUserToken(ctx context.Context, team, user, token string, expiresIn int) error {
	ttl := time.Duration(expiresIn) * time.Second
	return r.kv.PutJSON(ctx, userTokenKey(team, user), map[string]string{"token": token}, max(ttl-refreshSkew, time.Minute))
}

// Uninstall forgets everything we hold for team after Slack tells us the app
// was removed.
func (r *Registry) Uninstall(ctx context.Context, team string) error {
	var errs []error
	for _, key := range []string{installKey(team), botTokenKey(team)} {
		if err := r.kv.Delete(ctx, key); err != nil { // EXPECT kvsession
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// RevokeUserTokens handles Slack's tokens_revoked event for user tokens.
func (r *Registry) RevokeUserTokens(ctx context.Context, team string, users []string) error {
	var errs []error
	for _, user := range users {
		if err := r.kv.Delete(ctx, userTokenKey(team, user)); err != nil { // EXPECT kvsession
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Teams returns the IDs of installed teams, for the admin overview.
func (r *Registry) Teams(ctx context.Context) ([]string, error) {
	keys, _, err := r.kv.Page(ctx, "install:", "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	teams := make([]string, 0, len(keys))
	for _, k := range keys {
		teams = append(teams, strings.TrimPrefix(k.Name, "install:"))
	}
	return teams, nil
}

// maxInstallPages caps a walk over installations; at 1000 keys a page that is
// well past the number of workspaces we expect to serve.
const maxInstallPages = 25

// EachTeam calls fn for every installed team, page by page.
func (r *Registry) EachTeam(ctx context.Context, fn func(team string) error) error {
	cursor := ""
	for range maxInstallPages {
		keys, next, err := r.kv.Page(ctx, "install:", cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := fn(strings.TrimPrefix(k.Name, "install:")); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return fmt.Errorf("install: more than %d pages of installations", maxInstallPages)
}
