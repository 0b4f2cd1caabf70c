// Package export produces CSV exports of device records and tracks export
// jobs for the console.
package export

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"example.com/fleet/internal/cfkvutil"
	"example.com/fleet/internal/keys"
)

// bulkChunk stays under the bulk endpoint's pair limit with room for retries
// of partial batches.
const bulkChunk = 900

// Job is an export job record.
type Job struct {
	ID       string    `json:"id"`
	Prefix   string    `json:"prefix"`
	Status   string    `json:"status"`
	Rows     int       `json:"rows"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`
}

type Exporter struct {
	t        cfkvutil.Target
	pageSize int
	maxPages int
}

func New(t cfkvutil.Target, pageSize, maxPages int) *Exporter {
	return &Exporter{t: t, pageSize: pageSize, maxPages: maxPages}
}

// DevicesCSV writes one row per registered device.
func (e *Exporter) DevicesCSV(ctx context.Context, w io.Writer) (int, error) {
	cw := csv.NewWriter(w)
	defer cw.Flush()
	_ = cw.Write([]string{"key", "expiration", "model", "firmware"})
	iter := e.t.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, e.t.NamespaceID, kv.NamespaceKeyListParams{AccountID: cloudflare.F(e.t.AccountID), Prefix: cloudflare.F(keys.Device)}) // EXPECT kvlist
	rows := 0
	for iter.Next() {
		k := iter.Current()
		model, _ := k.Metadata["model"].(string)
		fw, _ := k.Metadata["firmware"].(string)
		if err := cw.Write([]string{k.Name, strconv.FormatFloat(k.Expiration, 'f', 0, 64), model, fw}); err != nil {
			return rows, err
		}
		rows++
	}
	return rows, iter.Err()
}

// ShadowsPage exports one page of reported shadows and returns the cursor for
// the next call.
func (e *Exporter) ShadowsPage(ctx context.Context, cursor string, w io.Writer) (string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(e.t.AccountID),
		Prefix:    cloudflare.F(keys.Shadow + "reported:"),
		Limit:     cloudflare.F(float64(e.pageSize)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := e.t.Client.KV.Namespaces.Keys.List(ctx, e.t.NamespaceID, params)
	if err != nil {
		return "", err
	}
	enc := json.NewEncoder(w)
	for _, k := range page.Result {
		res, err := e.t.Client.KV.Namespaces.Values.Get(ctx, e.t.NamespaceID, k.Name, kv.NamespaceValueGetParams{AccountID: cloudflare.F(e.t.AccountID)}) // EXPECT kvlist
		if err != nil {
			if cfkvutil.IsNotFound(err) {
				continue
			}
			return "", err
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return "", err
		}
		if err := enc.Encode(map[string]json.RawMessage{k.Name: body}); err != nil {
			return "", err
		}
	}
	return page.ResultInfo.Cursor, nil
}

// Snapshot returns the names of all rollout keys for the nightly backup.
func (e *Exporter) Snapshot(ctx context.Context) ([]string, error) {
	page, err := e.t.Client.KV.Namespaces.Keys.List(ctx, e.t.NamespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(e.t.AccountID),
		Prefix:    cloudflare.F(keys.Rollout),
		Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	if page.ResultInfo.Cursor != "" {
		return names, fmt.Errorf("export: snapshot truncated after %d keys", len(names))
	}
	return names, nil
}

// ExportJobs lists export job records, a page budget at a time.
func (e *Exporter) ExportJobs(ctx context.Context) ([]Job, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(e.t.AccountID), Prefix: cloudflare.F(keys.ExportJob), Limit: cloudflare.F(1000.0)}
	var jobs []Job
	for pages := 0; pages < e.maxPages; pages++ {
		page, err := e.t.Client.KV.Namespaces.Keys.List(ctx, e.t.NamespaceID, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(page.Result) == 0 {
			break
		}
		for _, k := range page.Result {
			j := Job{ID: k.Name[len(keys.ExportJob):]}
			j.Status, _ = k.Metadata["status"].(string)
			jobs = append(jobs, j)
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return jobs, nil
}

// RecordJobs stores finished job records; the console shows them for a day.
func (e *Exporter) RecordJobs(ctx context.Context, jobs []Job) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(jobs))
	for _, j := range jobs {
		b, err := json.Marshal(j)
		if err != nil {
			return err
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F(keys.ExportJob + j.ID),
			Value:      cloudflare.F(string(b)),
			Metadata:   cloudflare.F(map[string]interface{}{"status": j.Status}),
			Expiration: cloudflare.F(float64(time.Now().Add(24 * time.Hour).UnixMilli())), // EXPECT kvttl
		})
	}
	_, err := e.t.Client.KV.Namespaces.Bulk.Update(ctx, e.t.NamespaceID, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(e.t.AccountID), Body: body})
	return err
}

// Restore writes a backup back, in chunks the bulk endpoint accepts.
func (e *Exporter) Restore(ctx context.Context, pairs map[string]string) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, bulkChunk)
	flush := func() error {
		if len(body) == 0 {
			return nil
		}
		_, err := e.t.Client.KV.Namespaces.Bulk.Update(ctx, e.t.NamespaceID, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(e.t.AccountID), Body: body})
		body = body[:0]
		return err
	}
	for k, v := range pairs {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(k),
			Value:         cloudflare.F(v),
			ExpirationTTL: cloudflare.F(float64(30 * 24 * 3600)),
		})
		if len(body) == bulkChunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
