package pickup

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"hihi/internal/ent"
	"hihi/internal/ent/hook"
)

// DefaultLifetime is how long an issued pickup code stays valid.
const DefaultLifetime = 72 * time.Hour

// auditRetention keeps pickup audit records for the board of pharmacy.
const auditRetention = 400 * 24 * time.Hour

// Hooks returns the hooks installed on the pickup-code client.
func Hooks(audit ent.Driver, log *slog.Logger) []ent.Hook {
	return []ent.Hook{
		hook.On(defaultLifetime, ent.OpCreate),
		hook.On(lifetimeFromExpiry, ent.OpUpdate|ent.OpUpdateOne),
		hook.On(auditDeletes(audit), ent.OpDelete|ent.OpDeleteOne),
		logMutations(log),
	}
}

// defaultLifetime gives new codes a lifetime and an expiry time if the
// caller did not choose one.
func defaultLifetime(next ent.Mutator) ent.Mutator {
	return hook.PickupCodeFunc(func(ctx context.Context, m *ent.PickupCodeMutation) (ent.Value, error) {
		ttl, ok := m.TTL()
		if !ok {
			ttl = DefaultLifetime
			m.SetTTL(ttl)
		}
		if _, ok := m.ExpiresAt(); !ok {
			m.SetExpiresAt(time.Now().Add(ttl))
		}
		return next.Mutate(ctx, m)
	})
}

// lifetimeFromExpiry keeps the stored lifetime in step with the expiry time
// when an update moves it.
func lifetimeFromExpiry(next ent.Mutator) ent.Mutator {
	return hook.PickupCodeFunc(func(ctx context.Context, m *ent.PickupCodeMutation) (ent.Value, error) {
		if exp, ok := m.ExpiresAt(); ok {
			m.SetTTL(time.Until(exp)) // EXPECT kvttl
		} else if old := m.OldValue(); old != nil && !old.ExpiresAt.IsZero() {
			m.SetTTL(max(time.Until(old.ExpiresAt), time.Minute))
		}
		return next.Mutate(ctx, m)
	})
}

type auditRecord struct {
	Op     string    `json:"op"`
	Store  string    `json:"store"`
	Code   string    `json:"code"`
	Fields []string  `json:"fields"`
	At     time.Time `json:"at"`
}

// auditDeletes writes one immutable audit record per redeemed or revoked
// code before the delete goes through.
func auditDeletes(drv ent.Driver) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return hook.PickupCodeFunc(func(ctx context.Context, m *ent.PickupCodeMutation) (ent.Value, error) {
			store, _ := m.StoreID()
			code, _ := m.Code()
			now := time.Now().UTC()
			rec, _ := json.Marshal(auditRecord{Op: m.Op().String(), Store: store, Code: code, Fields: m.Fields(), At: now})
			key := fmt.Sprintf("audit:pickup:%s:%s:%d", store, code, now.UnixNano())
			if err := drv.Put(ctx, key, rec, int(auditRetention.Seconds())); err != nil {
				return nil, err
			}
			return next.Mutate(ctx, m)
		})
	}
}

func logMutations(log *slog.Logger) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			start := time.Now()
			v, err := next.Mutate(ctx, m)
			log.DebugContext(ctx, "pickup mutation", "op", m.Op(), "fields", m.Fields(), "took", time.Since(start), "err", err)
			return v, err
		})
	}
}
