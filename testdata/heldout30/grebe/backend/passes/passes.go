// Package passes publishes member passes from the billing system to KV and
// handles suspensions.
package passes

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"example.com/grebe/backend/cfkv"
	"example.com/grebe/internal/domain"
	"example.com/grebe/internal/store"
)

// Billing is the source of truth for passes.
type Billing interface {
	ChangedSince(ctx context.Context, t time.Time) ([]domain.Pass, error)
}

// stats is the sync job's bookkeeping, written only by the job.
type stats struct {
	LastRun   time.Time `json:"last_run"`
	Published int       `json:"published"`
	Runs      int       `json:"runs"`
}

// Service publishes passes.
type Service struct {
	st      store.Store
	kvAPI   *kv.NamespaceService
	account string
	ns      string
	passes  *store.Repo[domain.Pass]
	billing Billing
	now     func() time.Time
}

// New builds the service over a namespace.
func New(api *cloudflare.Client, account, ns string, b Billing) *Service {
	st := cfkv.New(api, account, ns)
	return &Service{
		st:      st,
		kvAPI:   api.KV.Namespaces,
		account: account,
		ns:      ns,
		passes:  store.NewRepo[domain.Pass](st, "pass:"),
		billing: b,
		now:     time.Now,
	}
}

// Sync publishes every pass changed since the previous run. It runs from a
// single ticker in the backend, so it is the only writer of its keys.
func (s *Service) Sync(ctx context.Context) (int, error) {
	last, err := store.GetJSON[stats](ctx, s.st, "passes:sync-stats")
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return 0, err
	}
	changed, err := s.billing.ChangedSince(ctx, last.LastRun)
	if err != nil {
		return 0, err
	}
	started := s.now()
	for _, p := range changed {
		life := store.Floor(time.Until(p.ValidUntil.Add(7 * 24 * time.Hour)))
		if err := store.PutJSON(ctx, s.st, s.passes.Key(p.ID), p, store.PutOptions{TTL: life}); err != nil {
			return 0, fmt.Errorf("passes: publish %s: %w", p.ID, err)
		}
	}
	err = store.Update(ctx, s.st, "passes:sync-stats", func(st *stats) error {
		st.LastRun = started
		st.Published += len(changed)
		st.Runs++
		return nil
	})
	return len(changed), err
}

// Active returns the passes valid now, reading at most maxPages pages.
func (s *Service) Active(ctx context.Context, maxPages int) ([]domain.Pass, error) {
	var out []domain.Pass
	cursor := ""
	now := s.now()
	for range maxPages {
		ids, next, err := s.passes.IDs(ctx, cursor)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			p, err := s.passes.Get(ctx, id) // EXPECT kvlist
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if p.Active(now) {
				out = append(out, p)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return out, nil
}

// Suspend blocks a member: their pass is withdrawn and the given sessions
// stop working.
func (s *Service) Suspend(ctx context.Context, member domain.MemberID, passID string, sessionIDs []string) error {
	if err := s.passes.Delete(ctx, passID); err != nil {
		return err
	}
	for _, sid := range sessionIDs {
		if err := s.st.Put(ctx, "revoked:"+sid, []byte(member), store.PutOptions{TTL: 12 * time.Hour}); err != nil { // EXPECT kvsession
			return err
		}
		_, err := s.kvAPI.Values.Delete(ctx, s.ns, url.PathEscape("sess:"+sid), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.account)}) // EXPECT kvsession
		if err != nil && !cfkv.IsNotFound(err) {
			return err
		}
	}
	return nil
}

// Tombstones marks closed accounts so the Worker's nightly sweep can remove
// their edge data.
type Tombstones struct{ st store.Store }

// NewTombstones returns the writer for closed-account tombstones.
func NewTombstones(st store.Store) Tombstones { return Tombstones{st: st} }

// Close marks an account as closed.
func (t Tombstones) Close(ctx context.Context, m domain.MemberID, at time.Time) error {
	return t.st.Put(ctx, "closed-account:"+string(m), []byte(at.UTC().Format(time.RFC3339)), store.PutOptions{TTL: 30 * 24 * time.Hour})
}
