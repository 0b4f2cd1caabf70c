// Package digest assembles the weekly email digest of consultation activity.
// It runs from the scheduler and still uses the older API client.
package digest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	cfv2 "github.com/cloudflare/cloudflare-go/v2"
	kvv2 "github.com/cloudflare/cloudflare-go/v2/kv"
)

const (
	itemPrefix     = "digest-item:"
	lastRunKey     = "digest:last-run"
	sentLogKey     = "digest:sent-issues"
	maxDigestPages = 10
)

// Item is one entry queued for the digest.
type Item struct {
	Key   string
	Title string
	Ward  string
	At    time.Time
}

// Sender emails the assembled digest.
type Sender interface {
	SendDigest(ctx context.Context, issue string, items []Item) error
}

// Builder assembles and sends digests.
type Builder struct {
	KV        *kvv2.NamespaceService
	AccountID string
	Namespace string
	Sender    Sender
	Clock     func() time.Time
}

func (b *Builder) getString(ctx context.Context, key string) (string, error) {
	res, err := b.KV.Values.Get(ctx, b.Namespace, key, kvv2.NamespaceValueGetParams{AccountID: cfv2.F(b.AccountID)})
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	return string(raw), err
}

func (b *Builder) putString(ctx context.Context, key, value string) error {
	_, err := b.KV.Values.Update(ctx, b.Namespace, key, kvv2.NamespaceValueUpdateParams{
		AccountID: cfv2.F(b.AccountID),
		Metadata:  cfv2.F("{}"),
		Value:     cfv2.F(value),
	})
	return err
}

func isNotFound(err error) bool {
	var apiErr *cfv2.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Run builds this week's digest from items queued since the last run.
func (b *Builder) Run(ctx context.Context) error {
	now := b.Clock().UTC()
	var since time.Time
	last, err := b.getString(ctx, lastRunKey) // EXPECT kvnull
	if err == nil {
		since, _ = time.Parse(time.RFC3339, last)
	}
	items, err := b.queued(ctx, since)
	if err != nil {
		return err
	}
	year, week := now.ISOWeek()
	issue := fmt.Sprintf("%d-W%02d", year, week)
	if len(items) > 0 {
		if err := b.Sender.SendDigest(ctx, issue, items); err != nil {
			return err
		}
		if err := b.logIssue(ctx, issue); err != nil {
			return err
		}
	}
	return b.putString(ctx, lastRunKey, now.Format(time.RFC3339))
}

func (b *Builder) queued(ctx context.Context, since time.Time) ([]Item, error) {
	params := kvv2.NamespaceKeyListParams{
		AccountID: cfv2.F(b.AccountID),
		Prefix:    cfv2.F(itemPrefix),
		Limit:     cfv2.F(1000.0),
	}
	var items []Item
	for range maxDigestPages {
		page, err := b.KV.Keys.List(ctx, b.Namespace, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Result {
			at := time.Unix(int64(metaFloat(k.Metadata, "at")), 0)
			if at.Before(since) {
				continue
			}
			title, _ := k.Metadata["title"].(string)
			ward, _ := k.Metadata["ward"].(string)
			items = append(items, Item{Key: k.Name, Title: title, Ward: ward, At: at})
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params = kvv2.NamespaceKeyListParams{
			AccountID: cfv2.F(b.AccountID),
			Cursor:    cfv2.F(page.ResultInfo.Cursor),
			Limit:     cfv2.F(1000.0),
		}
	}
	return items, nil
}

func metaFloat(m map[string]interface{}, k string) float64 {
	f, _ := m[k].(float64)
	return f
}

// logIssue appends an issue to the log of digests sent.
func (b *Builder) logIssue(ctx context.Context, issue string) error {
	log, err := b.getString(ctx, sentLogKey)
	if err != nil && !isNotFound(err) {
		return err
	}
	if strings.Contains(log, issue) {
		return nil
	}
	if log != "" {
		log += "\n"
	}
	return b.putString(ctx, sentLogKey, log+issue) // EXPECT kvrace
}
