// Package jobs holds the account service's scheduled jobs.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"

	"github.com/forumworks/guillemot/internal/accounts"
	"github.com/forumworks/guillemot/internal/kv"
)

var tracer = otel.Tracer("github.com/forumworks/guillemot/internal/jobs")

// ErrRunning is returned when another run of a job holds its lock.
var ErrRunning = errors.New("jobs: already running")

// Expirer deletes accounts whose deletion grace period has ended.
type Expirer struct {
	Accounts *kv.Namespace
	Profiles *kv.Namespace
	RunID    string
}

// Run deletes the due accounts and returns how many it deleted.
func (e *Expirer) Run(ctx context.Context, now time.Time) (int, error) {
	ctx, span := tracer.Start(ctx, "jobs.expire")
	defer span.End()

	const lockKey = "jobs:expire:lock"
	if _, err := e.Accounts.Get(ctx, lockKey); err == nil {
		return 0, ErrRunning
	} else if !errors.Is(err, kv.ErrNotFound) {
		return 0, err
	}
	if err := e.Accounts.Put(ctx, lockKey, []byte(e.RunID), 30*time.Minute); err != nil { // EXPECT kvrace
		return 0, err
	}
	defer func() { _ = e.Accounts.Delete(context.WithoutCancel(ctx), lockKey) }()

	expired, cursor := 0, ""
	for {
		page, err := e.Accounts.ListPage(ctx, "acct:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return expired, err
		}
		for _, k := range page.Keys {
			raw, err := e.Accounts.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				span.RecordError(err)
				continue
			}
			var a accounts.Account
			if err := json.Unmarshal(raw, &a); err != nil {
				span.RecordError(err)
				continue
			}
			if a.Status != accounts.StatusPendingDeletion || now.Before(a.DeleteAfter) {
				continue
			}
			if err := e.purge(ctx, &a); err != nil {
				span.RecordError(err)
				continue
			}
			expired++
		}
		if err := e.Accounts.Put(ctx, "jobs:expire:cursor", []byte(page.Cursor), 0); err != nil { // EXPECT kvhotkey
			span.RecordError(err)
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	span.SetAttributes(attribute.Int("accounts.expired", expired))
	return expired, nil
}

// purge removes an account's records and public profile. Its sessions expire
// on their own; without the account record they no longer sign anyone in.
func (e *Expirer) purge(ctx context.Context, a *accounts.Account) error {
	if err := e.Profiles.Delete(ctx, "profile:"+a.Handle); err != nil {
		return err
	}
	return e.Accounts.DeleteMany(ctx, []string{
		accounts.AccountKey(a.ID),
		"email:" + a.Email,
		"handle:" + a.Handle,
	})
}
