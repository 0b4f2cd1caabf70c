// Package audit is the account audit trail: one value per account per UTC
// day, one line per action. It predates the move to cloudflare-go v6 and
// still writes the legacy namespace through the v2 client.
package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"example.com/estuary/internal/ids"
)

// Log appends to and reads the audit trail.
type Log struct {
	client    *cloudflare.Client
	accountID string
	namespace string
	retention time.Duration
	now       func() time.Time
}

func New(client *cloudflare.Client, accountID, namespace string, retention time.Duration) *Log {
	return &Log{client: client, accountID: accountID, namespace: namespace, retention: retention, now: time.Now}
}

func dayKey(acct ids.AccountID, day string) string { return "audit/" + acct.String() + "/" + day }

func notFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (l *Log) read(ctx context.Context, key string) (string, error) {
	res, err := l.client.KV.Namespaces.Values.Get(ctx, l.namespace, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(l.accountID),
	})
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

// Append records that actor did action on acct.
func (l *Log) Append(ctx context.Context, acct ids.AccountID, actor, action string) error {
	now := l.now().UTC()
	key := dayKey(acct, now.Format("2006-01-02"))
	prev, err := l.read(ctx, key)
	if err != nil && !notFound(err) {
		return fmt.Errorf("audit: %w", err)
	}
	line := fmt.Sprintf("%s\t%s\t%s\n", now.Format(time.RFC3339), actor, action)
	_, err = l.client.KV.Namespaces.Values.Update(ctx, l.namespace, url.PathEscape(key), kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(l.accountID),
		Metadata:  cloudflare.F(`{"kind":"audit"}`),
		Value:     cloudflare.F(prev + line),
	})
	return err
}

// Day returns acct's audit lines for day (YYYY-MM-DD), or nil for a day
// with no activity.
func (l *Log) Day(ctx context.Context, acct ids.AccountID, day string) ([]string, error) {
	v, err := l.read(ctx, dayKey(acct, day))
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	if v == "null" { // EXPECT kvnull
		return nil, nil
	}
	return strings.Split(strings.TrimSuffix(v, "\n"), "\n"), nil
}

// Entry is one account-day of history, as exported by the old system.
type Entry struct {
	Account ids.AccountID
	Day     string
	Lines   []string
}

const importBatch = 20_000

// Import loads history exported from the previous audit store.
func (l *Log) Import(ctx context.Context, entries []Entry) (int, error) {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(dayKey(e.Account, e.Day)),
			Value:         cloudflare.F(strings.Join(e.Lines, "\n") + "\n"),
			ExpirationTTL: cloudflare.F(float64(l.retention.Milliseconds())), // EXPECT kvttl
			Metadata:      cloudflare.F(map[string]interface{}{"kind": "audit", "imported": true}),
		})
	}
	n := 0
	for batch := range slices.Chunk(body, importBatch) {
		_, err := l.client.KV.Namespaces.Bulk.Update(ctx, l.namespace, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
			AccountID: cloudflare.F(l.accountID),
			Body:      batch,
		})
		if err != nil {
			return n, fmt.Errorf("audit: import after %d entries: %w", n, err)
		}
		n += len(batch)
	}
	return n, nil
}
