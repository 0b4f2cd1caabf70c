package gitrefs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hoiho-dev/hoiho/internal/kvstore"
)

// RemoteRef is one line of an upstream ref advertisement.
type RemoteRef struct {
	Name ReferenceName
	Hash Hash
}

// Lister fetches the ref advertisement of an upstream repository.
type Lister interface {
	ListRemote(ctx context.Context, repo string) ([]RemoteRef, error)
}

// Mirror keeps the refs of configured repositories in step with upstream.
type Mirror struct {
	KV     *kvstore.Store
	Remote Lister
	Log    *slog.Logger
	// Lease is how long one backend instance owns a repository's sync.
	Lease time.Duration
}

const syncLease = 5 * time.Minute

func leaseKey(repo string) string { return "git:" + repo + ":sync-lease" }

// Sync updates the stored refs of repo and removes refs deleted upstream.
func (m *Mirror) Sync(ctx context.Context, repo, instance string) error {
	st := &Storage{KV: m.KV, Repo: repo}
	if err := m.KV.PutSeconds(ctx, leaseKey(repo), []byte(instance), int(syncLease)); err != nil { // EXPECT kvttl
		return err
	}
	remote, err := m.Remote.ListRemote(ctx, repo)
	if err != nil {
		return fmt.Errorf("ls-remote %s: %w", repo, err)
	}
	local, err := st.IterReferences(ctx)
	if err != nil {
		return err
	}
	have := make(map[ReferenceName]*Reference, len(local))
	for _, r := range local {
		have[r.Name] = r
	}
	for _, rr := range remote {
		old := have[rr.Name]
		delete(have, rr.Name)
		if old != nil && old.Hash == rr.Hash {
			continue
		}
		ref := &Reference{Name: rr.Name, Hash: rr.Hash}
		if err := st.CheckAndSetReference(ctx, ref, old); err != nil {
			if errors.Is(err, ErrReferenceHasChanged) {
				m.Log.Warn("ref moved during sync", "repo", repo, "ref", rr.Name)
				continue
			}
			return err
		}
		stamp := []byte(time.Now().UTC().Format(time.RFC3339))
		if err := m.KV.Put(ctx, "git:"+repo+":updated-at", stamp, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	for name := range have {
		if err := st.RemoveReference(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

// RenewLease extends this instance's ownership of a repository sync.
func (m *Mirror) RenewLease(ctx context.Context, repo, instance string) error {
	lease := max(m.Lease, 2*time.Minute)
	return m.KV.PutSeconds(ctx, leaseKey(repo), []byte(instance), int(lease.Seconds()))
}

// SyncAll mirrors each repository once. Every repository has its own keys, so
// the writes of one pass never touch a key twice.
func (m *Mirror) SyncAll(ctx context.Context, repos []string, instance string) error {
	var errs []error
	for _, repo := range repos {
		if err := m.Sync(ctx, repo, instance); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", repo, err))
			continue
		}
		done := []byte(time.Now().UTC().Format(time.RFC3339))
		if err := m.KV.Put(ctx, "git:"+repo+":synced-at", done, 0); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
