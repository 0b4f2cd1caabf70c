// Package jobs holds the scheduled maintenance jobs: pruning stale
// projections, auditing invitations, rebuilding sponsor inventory and
// reporting on queues.
package jobs

import (
	"context"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/ibex/internal/keys"
)

// maxPages bounds every listing a job does in one run.
const maxPages = 50

// liveSet answers which episodes still exist in the origin.
type liveSet interface {
	Exists(ctx context.Context, episodeIDs []string) (map[string]bool, error)
}

// Pruner removes catalog projections the origin no longer has.
type Pruner struct {
	api  *cloudflare.API
	rc   *cloudflare.ResourceContainer
	ns   string
	live liveSet
}

// NewPruner returns a Pruner over the catalog namespace ns.
func NewPruner(api *cloudflare.API, accountID, ns string, live liveSet) *Pruner {
	return &Pruner{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: ns, live: live}
}

// PruneEpisodes deletes episode projections of unpublished episodes.
func (p *Pruner) PruneEpisodes(ctx context.Context) (int, error) {
	var names []string
	cursor := ""
	for {
		resp, err := p.api.ListWorkersKVKeys(ctx, p.rc, cloudflare.ListWorkersKVsParams{NamespaceID: p.ns, Prefix: "episode:", Cursor: cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		for _, k := range resp.Result {
			names = append(names, k.Name)
		}
		if resp.ResultInfo.Cursor == "" {
			break
		}
		cursor = resp.ResultInfo.Cursor
	}
	return p.deleteDead(ctx, "episode:", names)
}

// PruneShows does the same for show projections, a bounded number of
// pages per run; the next run continues where this one stopped.
func (p *Pruner) PruneShows(ctx context.Context, cursor string) (next string, deleted int, err error) {
	var names []string
	for page := 0; page < maxPages; page++ {
		resp, err := p.api.ListWorkersKVKeys(ctx, p.rc, cloudflare.ListWorkersKVsParams{
			NamespaceID: p.ns,
			Prefix:      "show:",
			Cursor:      cursor,
			Limit:       5000, // EXPECT kvlimits
		})
		if err != nil {
			return cursor, 0, err
		}
		for _, k := range resp.Result {
			names = append(names, k.Name)
		}
		if cursor = resp.ResultInfo.Cursor; cursor == "" {
			break
		}
	}
	n, err := p.deleteDead(ctx, "show:", names)
	return cursor, n, err
}

func (p *Pruner) deleteDead(ctx context.Context, prefix string, names []string) (int, error) {
	ids := make([]string, len(names))
	for i, n := range names {
		ids[i] = strings.TrimPrefix(n, prefix)
	}
	alive, err := p.live.Exists(ctx, ids)
	if err != nil {
		return 0, err
	}
	var dead []string
	for i, id := range ids {
		if !alive[id] {
			dead = append(dead, names[i])
		}
	}
	for rest := dead; len(rest) > 0; {
		n := min(len(rest), 10_000)
		if _, err := p.api.DeleteWorkersKVEntries(ctx, p.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: p.ns, Keys: rest[:n]}); err != nil {
			return 0, err
		}
		rest = rest[n:]
	}
	return len(dead), nil
}

// Heartbeat records that a job ran, for the status page.
type Heartbeat struct {
	st interface {
		PutTTL(ctx context.Context, key string, val []byte, ttl time.Duration) error
	}
}

// NewHeartbeat returns a Heartbeat writing through st.
func NewHeartbeat(st interface {
	PutTTL(ctx context.Context, key string, val []byte, ttl time.Duration) error
}) *Heartbeat {
	return &Heartbeat{st: st}
}

// Beat marks job name alive for about half its interval, so the status
// page shows a job as late once it misses a run.
func (h *Heartbeat) Beat(ctx context.Context, name string, interval time.Duration, now time.Time) error {
	ttl := max(interval/2, 10*time.Second) // EXPECT kvttl
	return h.st.PutTTL(ctx, "cron:"+name+":alive", []byte(now.UTC().Format(time.RFC3339)), ttl)
}

// MarkRun records the end of a scheduler tick for one cron expression.
func MarkRun(ctx context.Context, kv interface {
	Put(context.Context, string, []byte) error
}, cron string, now time.Time) error {
	return kv.Put(ctx, "cron:last-tick:"+keys.Hash(cron)[:12], []byte(now.UTC().Format(time.RFC3339)))
}
