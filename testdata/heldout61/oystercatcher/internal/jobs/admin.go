package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/riverqueue/river"

	"github.com/boxoffice/oystercatcher/internal/kvstore"
	"github.com/boxoffice/oystercatcher/internal/ticketing"
)

// AttendeeExportArgs builds the door list an organiser downloads. Ticket
// keys carry the holder name and seat in their metadata.
type AttendeeExportArgs struct {
	EventID     string `json:"event_id"`
	RequestedBy string `json:"requested_by"`
}

func (AttendeeExportArgs) Kind() string { return "attendee_export" }

type AttendeeExportWorker struct {
	river.WorkerDefaults[AttendeeExportArgs]
	KV *kvstore.Store
}

func (w *AttendeeExportWorker) Work(ctx context.Context, job *river.Job[AttendeeExportArgs]) error {
	ns, account, nsID := w.KV.Namespace()
	iter := ns.Keys.ListAutoPaging(ctx, nsID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(account),
		Prefix:    cloudflare.F("ticket:"),
		Limit:     cloudflare.F(1000.0),
	})
	var rows []map[string]any
	for iter.Next() {
		k := iter.Current()
		meta, ok := k.Metadata.(map[string]any)
		if !ok || meta["event_id"] != job.Args.EventID {
			continue
		}
		rows = append(rows, meta)
	}
	if err := iter.Err(); err != nil {
		return err
	}
	buf, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("export:%s:%d", job.Args.EventID, job.ID)
	return w.KV.Put(ctx, key, buf, 24*time.Hour)
}

// DeviceAuditArgs samples the scanner key records for the weekly security
// review; the review only needs the first few thousand.
type DeviceAuditArgs struct {
	OrgID string `json:"org_id"`
}

func (DeviceAuditArgs) Kind() string { return "device_audit" }

const maxAuditKeys = 5000

type DeviceAuditWorker struct {
	river.WorkerDefaults[DeviceAuditArgs]
	KV *kvstore.Store
}

func (w *DeviceAuditWorker) Work(ctx context.Context, job *river.Job[DeviceAuditArgs]) error {
	ns, account, nsID := w.KV.Namespace()
	iter := ns.Keys.ListAutoPaging(ctx, nsID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(account),
		Prefix:    cloudflare.F("revoked:device:"),
		Limit:     cloudflare.F(2500.0), // EXPECT kvlimits
	})
	var revoked []string
	for iter.Next() {
		revoked = append(revoked, iter.Current().Name)
		if len(revoked) >= maxAuditKeys {
			break
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	buf, _ := json.Marshal(map[string]any{"org": job.Args.OrgID, "revoked": revoked, "truncated": len(revoked) >= maxAuditKeys})
	return w.KV.Put(ctx, "audit:devices:"+job.Args.OrgID, buf, 8*24*time.Hour)
}

// OrgOffboardArgs removes an organisation's dashboard sessions when its
// contract ends.
type OrgOffboardArgs struct {
	OrgID string `json:"org_id"`
}

func (OrgOffboardArgs) Kind() string { return "org_offboard" }

type OrgOffboardWorker struct {
	river.WorkerDefaults[OrgOffboardArgs]
	KV *kvstore.Store
}

func (w *OrgOffboardWorker) Work(ctx context.Context, job *river.Job[OrgOffboardArgs]) error {
	ns, account, nsID := w.KV.Namespace()
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(account),
		Prefix:    cloudflare.F(ticketing.SessionPrefix(job.Args.OrgID)),
		Limit:     cloudflare.F(1000.0),
	}
	for range 50 {
		res, err := ns.Keys.List(ctx, nsID, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		names := make([]string, 0, len(res.Result))
		for _, k := range res.Result {
			names = append(names, k.Name)
		}
		if len(names) > 0 {
			if err := w.KV.BulkDelete(ctx, names); err != nil { // DEBATABLE kvsession
				return err
			}
		}
		if res.ResultInfo.Cursor == "" {
			return nil
		}
		params = kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(account),
			Cursor:    cloudflare.F(res.ResultInfo.Cursor),
			Limit:     cloudflare.F(1000.0),
		}
	}
	return river.JobSnooze(time.Minute)
}
