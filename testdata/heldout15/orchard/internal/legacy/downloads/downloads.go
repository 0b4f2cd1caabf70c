// Package downloads tracks downloads of the printable price sheets served by
// the old buyer portal, and keeps the portal's audit trail.
package downloads

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

type Counter struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

func New(api *cloudflare.API, accountID, namespaceID string) *Counter {
	return &Counter{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: namespaceID}
}

func (c *Counter) get(ctx context.Context, key string) ([]byte, error) {
	return c.api.GetWorkersKV(ctx, c.rc, cloudflare.GetWorkersKVParams{NamespaceID: c.ns, Key: key})
}

func (c *Counter) put(ctx context.Context, key string, v []byte) error {
	_, err := c.api.WriteWorkersKVEntry(ctx, c.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: c.ns, Key: key, Value: v})
	return err
}

func isMissing(err error) bool {
	var nf *cloudflare.NotFoundError
	return errors.As(err, &nf)
}

// Hit counts a download of sheet and returns the new total.
func (c *Counter) Hit(ctx context.Context, sheet string) (int, error) {
	key := "hits:" + sheet
	n := 0
	raw, err := c.api.GetWorkersKV(ctx, c.rc, cloudflare.GetWorkersKVParams{NamespaceID: c.ns, Key: key})
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !isMissing(err) {
		return 0, err
	}
	n++
	_, err = c.api.WriteWorkersKVEntry(ctx, c.rc, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvcounter
		NamespaceID: c.ns,
		Key:         key,
		Value:       []byte(strconv.Itoa(n)),
	})
	return n, err
}

// DailyCap is the number of sheet downloads a buyer may make per day.
func (c *Counter) DailyCap(ctx context.Context) int {
	raw, _ := c.api.GetWorkersKV(ctx, c.rc, cloudflare.GetWorkersKVParams{NamespaceID: c.ns, Key: "settings/daily-cap"}) // EXPECT kvnull
	n, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
	return n
}

// Sheets lists the sheet names that have been downloaded, up to maxPages
// pages.
func (c *Counter) Sheets(ctx context.Context, maxPages int) ([]string, error) {
	var out []string
	params := cloudflare.ListWorkersKVsParams{NamespaceID: c.ns, Prefix: "hits:", Limit: 1000}
	for page := 0; page < maxPages; page++ {
		resp, err := c.api.ListWorkersKVKeys(ctx, c.rc, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range resp.Result {
			out = append(out, strings.TrimPrefix(k.Name, "hits:"))
		}
		if resp.Cursor == "" {
			return out, nil
		}
		params = cloudflare.ListWorkersKVsParams{NamespaceID: c.ns, Cursor: resp.Cursor, Limit: 1000}
	}
	return out, nil
}

// Recent returns a handful of sheet names for the portal's sidebar.
func (c *Counter) Recent(ctx context.Context) ([]string, error) {
	resp, err := c.api.ListWorkersKVKeys(ctx, c.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: c.ns,
		Prefix:      "hits:",
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(resp.Result))
	for _, k := range resp.Result {
		out = append(out, strings.TrimPrefix(k.Name, "hits:"))
	}
	return out, nil
}

// Audit appends a line to the day's audit log.
func (c *Counter) Audit(ctx context.Context, who, what string) error {
	key := "audit/" + time.Now().UTC().Format(time.DateOnly)
	old, err := c.get(ctx, key)
	if err != nil && !isMissing(err) {
		return err
	}
	line := fmt.Sprintf("%s\t%s\t%s\n", time.Now().UTC().Format(time.RFC3339), who, what)
	return c.put(ctx, key, append(old, line...)) // EXPECT kvrace
}

// Row is one line of the old portal's download log export.
type Row struct {
	ID    string
	Sheet string
	Buyer string
	At    time.Time
}

// ImportLog loads an exported download log, recording progress so an
// interrupted import can resume.
func (c *Counter) ImportLog(ctx context.Context, rows []Row) error {
	for i, r := range rows {
		v := fmt.Sprintf("%s,%s,%d", r.Sheet, r.Buyer, r.At.Unix())
		if err := c.put(ctx, "log:"+r.ID, []byte(v)); err != nil {
			return fmt.Errorf("downloads: row %d: %w", i, err)
		}
		if err := c.put(ctx, "import/progress", []byte(strconv.Itoa(i+1))); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
