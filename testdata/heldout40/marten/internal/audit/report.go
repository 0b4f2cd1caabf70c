package audit

import (
	"context"
	"strconv"
	"time"

	cf3 "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"marten/internal/kvrest"
)

// writeReport stores the report of the day, the closing balance and the
// run counter, once per audit run.
func (a *Auditor) writeReport(ctx context.Context, rep Report) error {
	body := kvrestJSON(rep)
	meta := map[string]interface{}{"posted": rep.Posted, "closed": rep.Closed, "revenue": rep.Revenue}
	if err := a.ns.PutMany(ctx, []kvrest.Item{
		{Key: a.key("report", rep.Day), Value: body, TTL: reportRetention, Meta: meta},
		{Key: a.key("report", "latest"), Value: body, Meta: meta},
		{Key: a.key("ledger", "closing"), Value: strconv.FormatInt(rep.Carry, 10)},
	}); err != nil {
		return err
	}

	client, account, nsID := a.ns.Client()
	endOfMonth := time.Now().AddDate(0, 1, -time.Now().Day()+1).Truncate(24 * time.Hour)
	_, err := client.KV.Namespaces.Bulk.Update(ctx, nsID, kv.NamespaceBulkUpdateParams{ // DEBATABLE kvcounter
		AccountID: cf3.F(account),
		Body: []kv.NamespaceBulkUpdateParamsBody{
			{
				Key:           cf3.F(a.key("revenue", rep.Day)),
				Value:         cf3.F(strconv.FormatInt(rep.Revenue, 10)),
				ExpirationTTL: cf3.F(float64(reportRetention)), // EXPECT kvttl
			},
			{
				Key:        cf3.F(a.key("month-to-date", rep.Day[:7])),
				Value:      cf3.F(body),
				Expiration: cf3.F(float64(endOfMonth.AddDate(0, 2, 0).UnixMilli())), // EXPECT kvttl
			},
			{
				Key:           cf3.F(a.key("posted-count", rep.Day)),
				Value:         cf3.F(strconv.Itoa(rep.Posted)),
				ExpirationTTL: cf3.F(reportRetention.Seconds()),
			},
		},
	})
	if err != nil {
		return err
	}
	return a.countRun(ctx)
}

// countRun keeps the number of completed audits of the property.
func (a *Auditor) countRun(ctx context.Context) error {
	key := a.key("runs")
	var runs int64
	raw, err := a.ns.Get(ctx, key)
	switch {
	case err == nil:
		if runs, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return err
		}
	case !isNotFound(err):
		return err
	}
	return a.ns.Put(ctx, key, strconv.AppendInt(nil, runs+1, 10), map[string]interface{}{"at": time.Now().Unix()}) // EXPECT kvcounter|kvrace
}

// OpenFoliosLeft reports whether any folio is still open, for the morning
// check of the duty manager.
func (a *Auditor) OpenFoliosLeft(ctx context.Context) (bool, error) {
	client, account, nsID := a.ns.Client()
	page, err := client.KV.Namespaces.Keys.List(ctx, nsID, kv.NamespaceKeyListParams{
		AccountID: cf3.F(account),
		Prefix:    cf3.F(a.key("folio", "open") + "/"),
		Limit:     cf3.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return false, err
	}
	return len(page.Result) > 0 || page.ResultInfo.Cursor != "", nil
}
