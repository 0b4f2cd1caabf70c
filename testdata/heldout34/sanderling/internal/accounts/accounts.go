// Package accounts handles agent lifecycle events coming from the helpdesk
// database: deactivation, password changes and profile updates.
package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/helpdeskco/sanderling/internal/config"
	"github.com/helpdeskco/sanderling/internal/keys"
	"github.com/helpdeskco/sanderling/internal/rest"
)

// Credentials are the session IDs and refresh tokens the database has
// recorded for an agent.
type Credentials struct {
	SessionIDs    []string `json:"session_ids"`
	RefreshTokens []string `json:"refresh_tokens"`
}

// Service applies account events to KV.
type Service struct {
	ttl      config.TTLConfig
	profiles rest.Base
}

// New returns the accounts service.
func New(cfg config.Config) *Service {
	return &Service{
		ttl:      cfg.KV.TTL,
		profiles: rest.Base{NS: rest.Widget, DefaultTTL: 24 * time.Hour},
	}
}

// Deactivate blocks a deactivated agent at the edge. The edge refuses any
// session whose agent has a revocation entry.
func (s *Service) Deactivate(ctx context.Context, agentID string, at time.Time) error {
	stamp := []byte(at.UTC().Format(time.RFC3339))
	if err := rest.Put(ctx, rest.Sessions, keys.Key("revoked", "agent", agentID), stamp, s.ttl.Refresh); err != nil { // EXPECT kvsession
		return fmt.Errorf("revoke %s: %w", agentID, err)
	}
	return s.profiles.Delete(ctx, keys.Key("profile", agentID))
}

// PasswordChanged ends every session of the agent so other devices must sign
// in again.
func (s *Service) PasswordChanged(ctx context.Context, agentID string, creds Credentials) error {
	var errs []error
	for _, id := range creds.SessionIDs {
		if err := rest.Delete(ctx, rest.Sessions, keys.KindAgentSession.Key(id)); err != nil { // EXPECT kvsession
			errs = append(errs, fmt.Errorf("session %s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// PublishTeams writes the team directory shown in the widget's "talk to"
// menu, rebuilt from the database once per cron run.
func (s *Service) PublishTeams(ctx context.Context, directory []byte) error {
	if !json.Valid(directory) {
		return fmt.Errorf("team directory: invalid JSON")
	}
	return s.profiles.Put(ctx, keys.Key("directory", "teams"), directory, 6*time.Hour)
}
