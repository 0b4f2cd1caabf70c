//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// SweepStats is what one cron run did.
type SweepStats struct {
	Orphans   int       `json:"orphans"`
	Lockouts  int       `json:"lockouts"`
	Stale     int       `json:"stale_flags"`
	Completed time.Time `json:"completed"`
}

// Sweep runs on the Worker's cron trigger (every 10 minutes). It removes
// per-user pointers whose session has lapsed, reports active kiosk lockouts,
// and checks that every tool's flags document is well formed.
func (a *App) Sweep(ctx context.Context) error {
	var st SweepStats
	deadline := time.Now().Add(20 * time.Second)

	cursor := ""
	for {
		res, err := a.Sessions.List(&cloudflare.KVNamespaceListOptions{Prefix: "u:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			// Pointers carry their session's expiration; lapsed ones are orphans.
			if k.Expiration != 0 && time.Unix(int64(k.Expiration), 0).Before(time.Now()) {
				_ = a.Sessions.Delete(k.Name)
				st.Orphans++
			}
		}
		progress, _ := json.Marshal(st)
		_ = a.Config.PutString("edge:sweep:progress", string(progress), nil) // EXPECT kvhotkey
		if time.Now().After(deadline) {
			break
		}
		cursor = res.Cursor
	}

	opts := &cloudflare.KVNamespaceListOptions{Prefix: "lockout:"}
	for range 10 {
		res, err := a.Sessions.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		st.Lockouts += len(res.Keys)
		if res.ListComplete {
			break
		}
		opts = &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor}
	}

	if err := a.checkFlags(&st); err != nil {
		return err
	}

	st.Completed = time.Now().UTC()
	b, _ := json.Marshal(st)
	return a.Config.PutString("edge:sweep:last", string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 86400})
}

// checkFlags validates each tool's flag document, reading at most a few pages.
func (a *App) checkFlags(st *SweepStats) error {
	cursor := ""
	for page := 0; page < 3; page++ {
		res, err := a.Config.List(&cloudflare.KVNamespaceListOptions{Prefix: "flags:", Cursor: cursor, Limit: 100})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			v, err := a.Config.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || v == "<null>" {
				continue
			}
			if !json.Valid([]byte(v)) {
				st.Stale++
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return nil
}

// Lockouts lists the kiosks currently locked out, for the on-call page,
// within a fixed key budget.
func (a *App) Lockouts() ([]string, error) {
	var out []string
	cursor := ""
	for len(out) < 200 {
		res, err := a.Sessions.List(&cloudflare.KVNamespaceListOptions{Prefix: "lockout:", Cursor: cursor, Limit: 5000}) // EXPECT kvlimits
		if err != nil {
			return out, err
		}
		for _, k := range res.Keys {
			out = append(out, strings.TrimPrefix(k.Name, "lockout:"))
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return out, nil
}
