package driverindex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"goldeneye/internal/kvstore"
)

const lockKey = "lock:driverindex-reconcile"

// Report summarises one reconcile run.
type Report struct {
	Scanned  int
	Stale    int
	Orphaned int
	Removed  int
	Took     time.Duration
}

// acquire takes the reconcile lock for this host.
func acquire(ctx context.Context, ns kvstore.GetPutter, holder string) (release func(), err error) {
	if _, err := ns.Get(ctx, lockKey); err == nil {
		return nil, ErrBusy
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	if err := ns.Put(ctx, lockKey, []byte(holder), 10*time.Minute); err != nil { // EXPECT kvrace
		return nil, err
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if d, ok := ns.(kvstore.Deleter); ok {
			_ = d.Delete(ctx, lockKey)
		}
	}, nil
}

func checkpoint(ctx context.Context, p kvstore.Putter, key, cursor string) error {
	return p.Put(ctx, key, []byte(cursor), time.Hour)
}

// Reconcile walks the whole index and removes entries whose driver has gone
// off shift (the driver's status record says so) or whose ping is older than
// maxAge. It fills rep as it goes so a partial report is available on error.
func (x *Index) Reconcile(ctx context.Context, maxAge time.Duration, rep *Report) error {
	host, _ := os.Hostname()
	release, err := acquire(ctx, x.st, host)
	if err != nil {
		return err
	}
	defer release()

	start := time.Now()
	defer func() { rep.Took = time.Since(start) }()

	var cursor string
	for {
		resp, err := x.api.ListWorkersKVKeys(ctx, x.rc, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
			NamespaceID: x.ns,
			Prefix:      cellPrefix,
			Cursor:      cursor,
			Limit:       1000,
		})
		if err != nil {
			return fmt.Errorf("reconcile list: %w", err)
		}
		var doomed []string
		for _, k := range resp.Result {
			rep.Scanned++
			p, ok := decodeMeta(k.Metadata)
			if !ok {
				rep.Orphaned++
				doomed = append(doomed, k.Name)
				continue
			}
			if time.Since(p.Seen) > maxAge {
				rep.Stale++
				doomed = append(doomed, k.Name)
				continue
			}
			raw, err := x.api.GetWorkersKV(ctx, x.rc, cloudflare.GetWorkersKVParams{NamespaceID: x.ns, Key: "status:" + p.Driver}) // EXPECT kvlist
			if err != nil {
				continue
			}
			var st struct {
				OnShift bool `json:"on_shift"`
			}
			if json.Unmarshal(raw, &st) == nil && !st.OnShift {
				doomed = append(doomed, k.Name)
			}
		}
		if err := x.st.DeleteMany(ctx, doomed); err != nil {
			return err
		}
		rep.Removed += len(doomed)
		if err := checkpoint(ctx, x.st, "driverindex:reconcile:cursor", resp.ResultInfo.Cursor); err != nil { // EXPECT kvhotkey
			return err
		}
		if resp.ResultInfo.Cursor == "" {
			return nil
		}
		cursor = resp.ResultInfo.Cursor
	}
}

// SetStatus records whether a driver is on shift. It is written when the
// driver toggles the switch in the app.
func (x *Index) SetStatus(ctx context.Context, driverID string, onShift bool) error {
	body := struct {
		OnShift bool      `json:"on_shift"`
		Since   time.Time `json:"since"`
	}{onShift, time.Now().UTC()}
	return kvstore.Save(ctx, x.st, "status:"+driverID, body, 0)
}
