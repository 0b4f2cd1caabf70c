//go:build js && wasm

package edge

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
)

const (
	sweepPageLimit = 1000
	sweepMaxPages  = 25
)

// Sweeper is the Worker's scheduled handler: it mirrors account locks that
// were lifted in D1, and publishes the edge status document.
type Sweeper struct {
	tokens *kv.Namespace
	limits *kv.Namespace
	db     *sql.DB
}

// NewSweeper returns the scheduled handler for g's bindings.
func NewSweeper(g *Gate) *Sweeper {
	return &Sweeper{tokens: g.tokens, limits: g.limits, db: g.db}
}

// Task dispatches on the cron expression that fired.
func (s *Sweeper) Task(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "*/5 * * * *":
		return s.liftLocks(ctx)
	case "0 * * * *":
		return s.publishStatus(ev.ScheduledTime)
	case "30 3 * * *":
		return s.auditAttempts()
	}
	return fmt.Errorf("unexpected cron %q", ev.Cron)
}

// liftLocks removes lock flags for accounts an administrator unlocked in D1.
func (s *Sweeper) liftLocks(ctx context.Context) error {
	cursor := ""
	for range sweepMaxPages {
		res, err := s.limits.List(&kv.ListOptions{Prefix: lockPrefix, Limit: sweepPageLimit, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			account := strings.TrimPrefix(k.Name, lockPrefix)
			var unlocked bool
			err := s.db.QueryRowContext(ctx, `SELECT unlocked FROM account_locks WHERE account = ?`, account).Scan(&unlocked)
			if err == nil && unlocked {
				if err := s.limits.Delete(k.Name); err != nil {
					return err
				}
			}
			if err := s.limits.PutString("cron:lift-locks:last", k.Name, nil); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		cursor = res.Cursor
	}
	return nil
}

// EdgeStatus is the document the status page reads from KV.
type EdgeStatus struct {
	At          time.Time `json:"at"`
	LockedUsers int       `json:"locked_users"`
	Throttled   int       `json:"throttled_addresses"`
}

func (s *Sweeper) countKeys(ns *kv.Namespace, prefix string) (int, error) {
	n := 0
	res, err := ns.List(&kv.ListOptions{Prefix: prefix, Limit: 2000}) // EXPECT kvlimits
	if err != nil {
		return 0, err
	}
	n += len(res.Keys)
	for len(res.Keys) > 0 {
		res, err = ns.List(&kv.ListOptions{Prefix: prefix, Cursor: res.Cursor}) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		n += len(res.Keys)
	}
	return n, nil
}

// publishStatus runs hourly and writes the status document once.
func (s *Sweeper) publishStatus(at time.Time) error {
	locked, err := s.countKeys(s.limits, lockPrefix)
	if err != nil {
		return err
	}
	throttled, err := s.countKeys(s.limits, cooldownKey)
	if err != nil {
		return err
	}
	enc, err := json.Marshal(EdgeStatus{At: at, LockedUsers: locked, Throttled: throttled})
	if err != nil {
		return err
	}
	return s.tokens.PutString("status:edge", string(enc), &kv.PutOptions{ExpirationTTL: 2 * 3600})
}

// auditAttempts copies the night's per-address attempt counters into D1 for
// the abuse report.
func (s *Sweeper) auditAttempts() error {
	opts := &kv.ListOptions{Prefix: ipPrefix, Limit: sweepPageLimit}
	for {
		res, err := s.limits.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			v, ok, err := lookup(s.limits, k.Name, 0) // EXPECT kvlist
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if _, err := s.db.Exec(`INSERT INTO attempt_audit (address, attempts, day) VALUES (?, ?, date('now'))`,
				strings.TrimPrefix(k.Name, ipPrefix), v); err != nil {
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: sweepPageLimit}
	}
}
