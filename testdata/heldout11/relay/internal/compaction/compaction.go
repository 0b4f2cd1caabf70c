// Package compaction is the nightly maintenance job: it rebuilds channel
// rosters from the member keys, drops the edit history of deleted
// workspaces and tops up the pool of permalink codes.
package compaction

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/relay/internal/cfns"
	"example.com/relay/internal/channels"
	"example.com/relay/internal/history"
	"example.com/relay/internal/kvkey"
	"example.com/relay/internal/store"
	"example.com/relay/internal/uow"
)

const (
	leaseKey      = "compaction:lease"
	progressKey   = "compaction:progress"
	scanPageSize  = 5000
	permalinkPool = 12000
)

// ErrBusy means another instance holds the lease.
var ErrBusy = errors.New("compaction: another run is in progress")

// Report summarises one run.
type Report struct {
	Workspaces, Rosters, HistoryDropped, Permalinks int
	Skipped                                         int // channels too big to rebuild in one page
}

// Job is the nightly job.
type Job struct {
	st         store.Store
	ns         cfns.Namespace
	channels   *channels.Service
	pageBudget int
	log        *slog.Logger
}

// New returns a job.
func New(st store.Store, ns cfns.Namespace, ch *channels.Service, pageBudget int, log *slog.Logger) *Job {
	return &Job{st: st, ns: ns, channels: ch, pageBudget: max(pageBudget, 1), log: log}
}

// Run performs one compaction.
func (j *Job) Run(ctx context.Context) (Report, error) {
	var rep Report
	if ok, err := j.acquire(ctx); err != nil {
		return rep, err
	} else if !ok {
		return rep, ErrBusy
	}
	defer j.release(context.WithoutCancel(ctx))

	live, err := j.workspaces(ctx)
	if err != nil {
		return rep, err
	}
	rep.Workspaces = len(live)
	for ws := range live {
		if err := j.rebuildRosters(ctx, ws, &rep); err != nil {
			return rep, err
		}
	}
	if rep.HistoryDropped, err = j.dropOrphanHistory(ctx, live); err != nil {
		return rep, err
	}
	rep.Permalinks, err = j.refillPermalinks(ctx)
	return rep, err
}

func (j *Job) acquire(ctx context.Context) (bool, error) {
	res, err := j.ns.Client.KV.Namespaces.Values.Get(ctx, j.ns.ID, leaseKey, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(j.ns.AccountID),
	})
	if err == nil {
		res.Body.Close()
		return false, nil
	}
	if !cfns.IsNotFound(err) {
		return false, err
	}
	host, _ := os.Hostname()
	_, err = j.ns.Client.KV.Namespaces.Values.Update(ctx, j.ns.ID, leaseKey, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID:  cloudflare.F(j.ns.AccountID),
		Value:      cloudflare.F(host),
		Expiration: cloudflare.F(float64(time.Now().Add(2 * time.Hour).Unix())),
	})
	return err == nil, err
}

func (j *Job) release(ctx context.Context) {
	_, err := j.ns.Client.KV.Namespaces.Values.Delete(ctx, j.ns.ID, leaseKey, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(j.ns.AccountID),
	})
	if err != nil {
		j.log.Warn("compaction: release lease", "err", err)
	}
}

// workspaces returns the ids of every workspace.
func (j *Job) workspaces(ctx context.Context) (map[string]bool, error) {
	live := map[string]bool{}
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(j.ns.AccountID),
		Prefix:    cloudflare.F(kvkey.Workspaces.Prefix()),
		Limit:     cloudflare.F(1000.0),
	}
	for {
		page, err := j.ns.Client.KV.Namespaces.Keys.List(ctx, j.ns.ID, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Result {
			id, _, _ := strings.Cut(strings.TrimPrefix(k.Name, kvkey.Workspaces.Prefix()), ":")
			live[id] = true
		}
		if page.ResultInfo.Cursor == "" {
			return live, nil
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
}

// rebuildRosters rewrites each channel's roster from its member keys.
func (j *Job) rebuildRosters(ctx context.Context, ws string, rep *Report) error {
	cursor := ""
	for page := 0; page < j.pageBudget; page++ {
		chPage, err := j.channels.ListChannels(ctx, ws, cursor)
		if err != nil {
			return err
		}
		for id := range chPage.Names {
			members, next, err := j.channels.MembersPage(ctx, ws, id, "", 1000)
			if err != nil {
				return err
			}
			if next != "" {
				rep.Skipped++
				continue
			}
			ids := make([]string, len(members))
			for i, m := range members {
				ids[i] = m.UserID
			}
			if err := j.channels.SetRoster(ctx, ws, id, ids); err != nil {
				return err
			}
			rep.Rosters++
			if err := j.st.Put(ctx, progressKey, []byte(ws+"/"+id)); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		if cursor = chPage.Cursor; cursor == "" {
			return nil
		}
	}
	return nil
}

// dropOrphanHistory deletes edit logs whose workspace no longer exists.
func (j *Job) dropOrphanHistory(ctx context.Context, live map[string]bool) (int, error) {
	prefix := history.Root.Prefix()
	u := uow.Begin(j.ns)
	cursor := ""
	for page := 0; page < j.pageBudget; page++ {
		pg, err := j.st.List(ctx, prefix, cursor,
			scanPageSize) // EXPECT kvlimits
		if err != nil {
			return 0, err
		}
		for _, k := range pg.Keys {
			if ws, _, _ := strings.Cut(strings.TrimPrefix(k.Name, prefix), ":"); !live[ws] {
				u.Delete(k.Name)
			}
		}
		if cursor = pg.Cursor; cursor == "" {
			break
		}
	}
	n := u.Len()
	return n, u.Commit(ctx)
}

// refillPermalinks pre-generates short codes for message permalinks so the
// share dialog never waits on a uniqueness check.
func (j *Job) refillPermalinks(ctx context.Context) (int, error) {
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, permalinkPool)
	for i := 0; i < permalinkPool; i++ {
		b := make([]byte, 5)
		_, _ = rand.Read(b)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F("link:pool:" + strings.ToLower(enc.EncodeToString(b))),
			Value: cloudflare.F("free"),
		})
	}
	res, err := j.ns.Client.KV.Namespaces.BulkUpdate(ctx, j.ns.ID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(j.ns.AccountID),
		Body:      body,
	})
	if err != nil {
		return 0, fmt.Errorf("compaction: permalink pool: %w", err)
	}
	return int(res.SuccessfulKeyCount), nil
}
