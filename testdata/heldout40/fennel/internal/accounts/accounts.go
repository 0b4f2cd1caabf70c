// Package accounts holds the backend's creator-account operations that touch
// the edge namespaces: sign-outs, email changes, feed revocations and
// takedowns.
package accounts

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/podloft/fennel/internal/keys"
	"github.com/podloft/fennel/internal/kvadmin"
)

const (
	apiTokenTTL = 90 * 24 * time.Hour
	profileTTL  = 10 * time.Minute
	apiTokenPfx = "apitok:"
	profilePfx  = "profile:"
	takedownPfx = "takedown:"
	dmcaNotice  = "This episode has been removed from public distribution in response to a notice of claimed infringement " +
		"received under the Digital Millennium Copyright Act, 17 U.S.C. section 512. The creator has been notified and " +
		"may submit a counter-notification if they believe the material was removed as a result of mistake or " +
		"misidentification. A counter-notification must include the creator's physical or electronic signature, " +
		"identification of the material removed and the location at which it appeared before removal, a statement " +
		"under penalty of perjury that the creator has a good faith belief that the material was removed as a result " +
		"of mistake or misidentification, and the creator's name, address and telephone number together with a " +
		"statement consenting to the jurisdiction of the federal district court for the judicial district in which " +
		"the address is located. Upon receipt of a valid counter-notification we will forward it to the complaining " +
		"party and may restore the material in ten to fourteen business days unless the complaining party notifies " +
		"us that it has filed an action seeking a court order. Questions: legal@podloft.example."
)

// Directory is the system of record for creator profiles.
type Directory interface {
	Profile(ctx context.Context, id keys.CreatorID) (json.RawMessage, error)
}

// Accounts operates on creator accounts.
type Accounts struct {
	sessions *kvadmin.Store
	feeds    *kvadmin.Store
	edge     *kvadmin.Store
	dir      Directory
}

// New returns account operations over the three edge namespaces.
func New(sessions, feeds, edge *kvadmin.Store, dir Directory) *Accounts {
	return &Accounts{sessions: sessions, feeds: feeds, edge: edge, dir: dir}
}

// SignOutEverywhere ends every session a creator holds, e.g. after a
// suspected account compromise. The caller supplies the session IDs from
// the login audit log.
func (a *Accounts) SignOutEverywhere(ctx context.Context, sessionIDs []string) error {
	body := make([]string, 0, 2*len(sessionIDs))
	for _, id := range sessionIDs {
		body = append(body, keys.SessionKey{ID: id}.String(), keys.CSRFKey{SessionID: id}.String())
	}
	_, err := a.sessions.Client().KV.Namespaces.BulkDelete(ctx, a.sessions.ID(), kv.NamespaceBulkDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(a.sessions.Account()),
		Body:      body,
	})
	return err
}

// ChangeEmail invalidates login links mailed to the old address.
func (a *Accounts) ChangeEmail(ctx context.Context, creator keys.CreatorID, pendingLinks []string) error {
	for _, tok := range pendingLinks {
		if err := a.sessions.Delete(ctx, keys.MagicLinkKey{Token: tok}.String()); err != nil { // EXPECT kvsession
			if !kvadmin.IsNotFound(err) {
				return fmt.Errorf("accounts: %s: %w", creator, err)
			}
		}
	}
	return nil
}

// RevokeFeedToken adds a subscriber token to the show's revocation list,
// which the origin renderer consults when building feeds.
func (a *Accounts) RevokeFeedToken(ctx context.Context, show keys.ShowID, token string) error {
	key := keys.Revoked.With(string(show))
	var revoked []string
	raw, err := a.feeds.Get(ctx, key)
	switch {
	case kvadmin.IsNotFound(err):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &revoked); err != nil {
			return err
		}
	}
	revoked = append(revoked, token)
	out, _ := json.Marshal(revoked)
	return a.feeds.Put(ctx, key, out, 0) // EXPECT kvsession|kvrace
}

// IssueAPIToken mints a token for the creator's upload CLI.
func (a *Accounts) IssueAPIToken(ctx context.Context, creator keys.CreatorID) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	tok := base64.RawURLEncoding.EncodeToString(b)
	if err := a.sessions.Put(ctx, apiTokenPfx+tok, []byte(creator), apiTokenTTL); err != nil {
		return "", err
	}
	return tok, nil
}

// Profile returns a creator's public profile, cached at the edge.
func (a *Accounts) Profile(ctx context.Context, id keys.CreatorID) (json.RawMessage, error) {
	key := profilePfx + string(id)
	raw, err := a.edge.Get(ctx, key)
	if err == nil {
		return raw, nil
	}
	if !kvadmin.IsNotFound(err) {
		return nil, err
	}
	p, err := a.dir.Profile(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := a.edge.Put(ctx, key, p, profileTTL); err != nil {
		return nil, err
	}
	return p, nil
}

// Takedown hides an episode and records why, so the dashboard can show the
// notice next to the episode without another lookup.
func (a *Accounts) Takedown(ctx context.Context, show keys.ShowID, ep keys.EpisodeID, claimant string) error {
	tx := a.edge.Begin()
	tx.Delete(keys.EpisodeKey{Show: show, Episode: ep}.String())
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	meta := map[string]string{"claimant": claimant, "notice": dmcaNotice}
	return a.edge.PutMeta(ctx, takedownPfx+string(ep), []byte(time.Now().UTC().Format(time.RFC3339)), meta) // EXPECT kvlimits
}

// PublishSchedule copies the public release calendar for a show to the
// edge once per sync, as a single document.
func (a *Accounts) PublishSchedule(ctx context.Context, show keys.ShowID, calendar []byte) error {
	return a.edge.Put(ctx, "calendar:"+string(show), calendar, 6*time.Hour)
}
