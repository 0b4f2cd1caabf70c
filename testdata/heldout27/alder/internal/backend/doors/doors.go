// Package doors provisions door codes from the back office and blocks
// members who leave.
package doors

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"example.com/alder/internal/backend/cfkv"
	"example.com/alder/internal/backend/cfparams"
	"example.com/alder/internal/domain"
)

// visitorPool is how many single-use visitor codes a site keeps in reserve.
const visitorPool = 12000

// Service manages codes and blocks.
type Service struct {
	client *cloudflare.Client
	acct   cfparams.Account
	store  *cfkv.Store
	loc    *time.Location
}

// ProvideService builds the door service.
func ProvideService(st *cfkv.Store, loc *time.Location) *Service {
	return &Service{client: st.Client(), acct: st.Account(), store: st, loc: loc}
}

// FillVisitorPool generates the week's single-use visitor codes for a site.
func (s *Service) FillVisitorPool(ctx context.Context, site domain.SiteID) error {
	now := time.Now()
	until := domain.EndOfDay(now, s.loc).Add(7 * 24 * time.Hour)
	entries := make([]kv.NamespaceBulkUpdateParamsBody, 0, visitorPool)
	for i := 0; i < visitorPool; i++ {
		code, err := domain.NewCode()
		if err != nil {
			return err
		}
		g := domain.AccessGrant{Site: site, ValidFrom: now, ValidUntil: until, SingleUse: true}
		raw, err := json.Marshal(g)
		if err != nil {
			return err
		}
		entries = append(entries, cfparams.BulkEntry("pool:"+code.Key(site), string(raw), until.Unix()))
	}
	if _, err := s.client.KV.Namespaces.Bulk.Update(ctx, s.acct.Namespace, s.acct.Bulk(entries)); err != nil { // EXPECT kvlimits
		return fmt.Errorf("doors: fill pool for %s: %w", site, err)
	}
	return nil
}

// PublishGrants writes the day's member codes for a site. The door
// controllers sync them every ten minutes, so entries outlive one sync.
func (s *Service) PublishGrants(ctx context.Context, site domain.SiteID, grants []domain.AccessGrant) error {
	entries := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(grants))
	for _, g := range grants {
		raw, err := json.Marshal(g)
		if err != nil {
			return err
		}
		e := cfparams.BulkEntryTTL(g.Code.Key(site), string(raw), 20*time.Minute)
		entries = append(entries, cfparams.WithMetadata(e, map[string]any{"member": string(g.Member), "single_use": g.SingleUse}))
	}
	return s.store.PutMany(ctx, entries)
}

func overrideKey(site domain.SiteID) string { return "door:override:" + string(site.Normalize()) }

// Buzz lets reception open the front door for a courier. The controller
// polls for the override, which should lapse quickly.
func (s *Service) Buzz(ctx context.Context, site domain.SiteID, by domain.MemberID) error {
	e := cfparams.BulkEntry(overrideKey(site), string(by), time.Now().Add(30*time.Second).Unix()) // EXPECT kvttl
	return s.store.PutMany(ctx, []kv.NamespaceBulkUpdateParamsBody{e})
}

type revocation struct {
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// Offboard blocks a member: the edge checks this list before it accepts the
// member's sessions or codes.
func (s *Service) Offboard(ctx context.Context, member domain.MemberID, reason string) error {
	raw, err := json.Marshal(revocation{At: time.Now(), Reason: reason})
	if err != nil {
		return err
	}
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.acct.Namespace, "revoked:"+string(member), s.acct.Value(string(raw), "")) // EXPECT kvsession
	return err
}
