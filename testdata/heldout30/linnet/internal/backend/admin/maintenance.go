package admin

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"example.com/linnet/internal/storage"
	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// Health lists a handful of lesson keys to prove the namespace answers and
// holds published content.
func (n Namespace) Health(ctx context.Context) error {
	params := n.listParams("lesson:")
	params.Limit = cloudflare.F(5.0) // EXPECT kvlimits
	page, err := n.svc.Keys.List(ctx, n.id, params)
	if err == nil && len(page.Result) == 0 && page.ResultInfo.Cursor == "" {
		err = errors.New("admin: no published lessons")
	}
	return err
}

// ExportKeys writes every key under prefix to w, one per line, for the
// nightly warehouse load.
func (n Namespace) ExportKeys(ctx context.Context, prefix string, w io.Writer) (int, error) {
	bw := bufio.NewWriter(w)
	iter := n.svc.Keys.ListAutoPaging(ctx, n.id, n.listParams(prefix)) // EXPECT kvlist
	count := 0
	for iter.Next() {
		k := iter.Current()
		fmt.Fprintf(bw, "%s\t%.0f\n", k.Name, k.Expiration)
		count++
	}
	if err := iter.Err(); err != nil {
		return count, err
	}
	return count, bw.Flush()
}

const syncPages = 50

// SyncDirectory mirrors tutor profile keys into the search index, saving
// its position after every page so an interrupted sync resumes.
func (n Namespace) SyncDirectory(ctx context.Context, index func(names []string) error) error {
	params := n.listParams("tutor-profile:")
	params.Limit = cloudflare.F(1000.0)
	for range syncPages {
		page, err := n.svc.Keys.List(ctx, n.id, params)
		if err != nil {
			return err
		}
		names := make([]string, 0, len(page.Result))
		for _, k := range page.Result {
			names = append(names, strings.TrimPrefix(k.Name, "tutor-profile:"))
		}
		if err := index(names); err != nil {
			return err
		}
		next := page.ResultInfo.Cursor
		if _, err := n.svc.Values.Update(ctx, n.id, "sync:directory-cursor", n.textValue(next)); err != nil { // EXPECT kvhotkey
			return err
		}
		if next == "" {
			return nil
		}
		params.Cursor = cloudflare.F(next)
	}
	return nil
}

const unitCount = 150

// ProbeUnitIntros checks that every unit of the core course has its intro
// text published.
func (n Namespace) ProbeUnitIntros(ctx context.Context) ([]string, error) {
	keys := make([]string, 0, unitCount)
	for unit := 1; unit <= unitCount; unit++ {
		keys = append(keys, fmt.Sprintf("unit-intro:core:%03d", unit))
	}
	res, err := n.svc.BulkGet(ctx, n.id, kv.NamespaceBulkGetParams{AccountID: cloudflare.F(n.account), Keys: cloudflare.F(keys)}) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	vals, _ := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
	var missing []string
	for _, k := range keys {
		if v, ok := vals.Values[k]; !ok || v == nil {
			missing = append(missing, k)
		}
	}
	return missing, nil
}

// InvalidateLoginLink is the support tool for a login email that reached
// the wrong person.
func (n Namespace) InvalidateLoginLink(ctx context.Context, token string) error {
	_, err := n.svc.Values.Delete(ctx, n.id, "login-token:"+token, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(n.account)}) // EXPECT kvsession
	if isNotFound(err) {
		return nil
	}
	return err
}

const purgePages = 20

// PurgeCancelled drops status markers of cancelled bookings that the
// retention job has already archived to the warehouse.
func PurgeCancelled(ctx context.Context, s storage.Store, archived func(id string) bool) (int, error) {
	purged := 0
	opts := storage.ListOptions{Prefix: "booking-status:", Limit: 1000}
	for range purgePages {
		page, err := s.List(ctx, opts) // EXPECT kvlist
		if err != nil {
			return purged, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			if !archived(strings.TrimPrefix(k.Name, "booking-status:")) {
				continue
			}
			if err := s.Delete(ctx, k.Name); err != nil && !errors.Is(err, storage.ErrNotFound) {
				return purged, err
			}
			purged++
		}
		opts.Cursor = page.Cursor
	}
	return purged, nil
}

// Touch records when a maintenance job last completed.
func (n Namespace) Touch(ctx context.Context, job string, at time.Time) error {
	_, err := n.svc.Values.Update(ctx, n.id, "maintenance:"+job, n.textValue(at.UTC().Format(time.RFC3339)))
	return err
}
