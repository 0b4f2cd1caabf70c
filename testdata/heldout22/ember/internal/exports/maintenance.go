package exports

import (
	"context"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/ember/internal/keys"
)

// exportChunk is how many index entries are written per bulk request.
const exportChunk = 20_000

// indexChunk is how many parts are fetched per bulk read when verifying.
const indexChunk = 250

// AllRideKeys lists every ride key of day, used by the reconciliation
// report that compares KV with the payments ledger.
func (e *Exporter) AllRideKeys(ctx context.Context, day time.Time) ([]string, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(e.account), Prefix: cloudflare.F(keys.RidePrefix(day))}
	var out []string
	for {
		page, err := e.keys.List(ctx, e.namespace, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Result {
			out = append(out, k.Name)
		}
		if page.ResultInfo.Cursor == "" {
			return out, nil
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
}

// RideCount returns how many rides ended on day.
func (e *Exporter) RideCount(ctx context.Context, day time.Time) (int, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(e.account), Prefix: cloudflare.F(keys.RidePrefix(day)), Limit: cloudflare.F(1000.0)}
	n := 0
	for pages := 0; pages < e.maxPages; pages++ {
		page, err := e.keys.List(ctx, e.namespace, params) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		if len(page.Result) == 0 {
			break
		}
		n += len(page.Result)
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return n, nil
}

// ResumeKeys continues a listing of day's rides from cursor for at most
// maxPages pages.
func (e *Exporter) ResumeKeys(ctx context.Context, day time.Time, cursor string, maxPages int) ([]string, string, error) {
	var out []string
	for i := 0; i < maxPages && cursor != ""; i++ {
		page, err := e.keys.List(ctx, e.namespace, kv.NamespaceKeyListParams{AccountID: cloudflare.F(e.account), Cursor: cloudflare.F(cursor), Limit: cloudflare.F(1000.0)}) // EXPECT kvlist
		if err != nil {
			return nil, "", err
		}
		for _, k := range page.Result {
			if strings.HasPrefix(k.Name, keys.RidePrefix(day)) {
				out = append(out, k.Name)
			}
		}
		cursor = page.ResultInfo.Cursor
	}
	return out, cursor, nil
}

// PublishIndex writes one index entry per ride so the regulator's tool can
// look a ride up by id without downloading the parts.
func (e *Exporter) PublishIndex(ctx context.Context, day time.Time, rows []Row) error {
	expires := float64(time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, time.UTC).Add(e.retention).Unix())
	for start := 0; start < len(rows); start += exportChunk {
		chunk := rows[start:min(start+exportChunk, len(rows))]
		body := make([]kv.NamespaceKeyBulkUpdateParamsBody, 0, len(chunk))
		for _, r := range chunk {
			body = append(body, kv.NamespaceKeyBulkUpdateParamsBody{
				Key:        cloudflare.F("exportidx:" + r.ID),
				Value:      cloudflare.F(day.Format(time.DateOnly)),
				Expiration: cloudflare.F(expires),
			})
		}
		if _, err := e.keys.BulkUpdate(ctx, e.namespace, kv.NamespaceKeyBulkUpdateParams{AccountID: cloudflare.F(e.account), Body: body}); err != nil { // EXPECT kvlimits
			return err
		}
	}
	return nil
}

// VerifyParts checks that every part of day is present.
func (e *Exporter) VerifyParts(ctx context.Context, day time.Time, parts int) ([]string, error) {
	names := make([]string, parts)
	for i := range names {
		names[i] = keys.ExportKey{Day: day, Part: i}.String()
	}
	var missing []string
	for start := 0; start < len(names); start += indexChunk {
		batch := names[start:min(start+indexChunk, len(names))]
		res, err := e.keys.BulkGet(ctx, e.namespace, kv.NamespaceKeyBulkGetParams{AccountID: cloudflare.F(e.account), Keys: cloudflare.F(batch)}) // DEBATABLE kvlimits
		if err != nil {
			return nil, err
		}
		got, _ := res.AsUnion().(kv.NamespaceKeyBulkGetResponseWorkersKVBulkGetResult)
		for _, n := range batch {
			if got.Values[n] == nil {
				missing = append(missing, n)
			}
		}
	}
	return missing, nil
}

// PurgeIndex removes index entries of an expired export early, at most
// one large page per call.
func (e *Exporter) PurgeIndex(ctx context.Context) (int, error) {
	page, err := e.keys.List(ctx, e.namespace, kv.NamespaceKeyListParams{AccountID: cloudflare.F(e.account), Prefix: cloudflare.F("exportidx:"), Limit: cloudflare.F(5000.0)}) // EXPECT kvlimits
	if err != nil {
		return 0, err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		if k.Expiration > 0 && int64(k.Expiration) < e.clock.Now().Unix()+86400 {
			names = append(names, k.Name)
		}
	}
	if len(names) == 0 {
		return 0, nil
	}
	_, err = e.keys.BulkDelete(ctx, e.namespace, kv.NamespaceKeyBulkDeleteParams{AccountID: cloudflare.F(e.account), Body: names})
	return len(names), err
}
