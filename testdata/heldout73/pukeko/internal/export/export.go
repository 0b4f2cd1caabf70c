// Package export writes list exports (CSV files) and serves the paged
// subscriber listing of the dashboard.
package export

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"pukeko/internal/keys"
	"pukeko/internal/kvstore"
	"pukeko/internal/optin"
)

// exportNotice is stored with every finished export so that whoever downloads
// it from the dashboard sees the terms it is subject to.
const exportNotice = "This file contains personal data of subscribers who consented to receive " +
	"email from the list owner. It is provided to the list owner for the sole purpose of " +
	"managing that list. You may not sell, rent, share or otherwise transfer the addresses " +
	"in this file to any third party, and you may not import them into another sending " +
	"platform without the subscribers' renewed consent where applicable law requires it. " +
	"Addresses marked unsubscribed, bounced or complained must not be mailed again. The " +
	"file must be stored encrypted at rest, access must be limited to staff who need it, " +
	"and it must be deleted within thirty days of download or when the purpose for which " +
	"it was downloaded has been fulfilled, whichever comes first. Requests from subscribers " +
	"to access, correct or erase their data must be honoured within the time limits set by " +
	"the GDPR, the UK GDPR, the CCPA/CPRA and any other law that applies to the list owner. " +
	"Pukeko logs every download of this file with the account, user, time and IP address " +
	"of the request, and will disclose that log to supervisory authorities on request. " +
	"By downloading the file you confirm that you have read and accepted these terms and " +
	"the data processing agreement between your organisation and Pukeko Mail Ltd."

// Status is the progress of an export job, polled by the dashboard.
type Status struct {
	ID       string    `json:"id"`
	List     string    `json:"list"`
	Rows     int       `json:"rows"`
	Pages    int       `json:"pages"`
	File     string    `json:"file,omitzero"`
	Finished time.Time `json:"finished,omitzero"`
}

// Exporter writes exports into a directory opened with os.OpenRoot, so that
// list names cannot escape it.
type Exporter struct {
	Subs *kvstore.Namespace
	Jobs *kvstore.Namespace
	Root *os.Root
}

// Export writes every subscriber of list to <list>-<id>.csv.
func (e *Exporter) Export(ctx context.Context, list keys.ListID, id string) (Status, error) {
	st := Status{ID: id, List: string(list), File: fmt.Sprintf("%s-%s.csv", list, id)}
	f, err := e.Root.Create(st.File)
	if err != nil {
		return st, err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "email,status,subscribed_at,confirmed_at")

	prefix := keys.SubscriberPrefix(list)
	cursor := ""
	for {
		page, err := e.Subs.ListPage(ctx, kvstore.ListOptions{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return st, err
		}
		for _, k := range page.Keys {
			var sub optin.Subscriber
			if err := e.Subs.GetJSON(ctx, k.Name, &sub); err != nil { // EXPECT kvlist
				return st, err
			}
			fmt.Fprintf(w, "%s,%s,%s,%s\n", sub.Email, sub.Status, sub.SubscribedAt.Format(time.RFC3339), confirmedAt(sub))
			st.Rows++
		}
		st.Pages++
		if err := e.Jobs.PutJSON(ctx, "export:"+id, st, &kvstore.WriteOptions{TTL: new(7 * 24 * time.Hour)}); err != nil { // EXPECT kvhotkey
			return st, err
		}
		if page.Done() {
			break
		}
		cursor = page.Cursor
	}
	if err := w.Flush(); err != nil {
		return st, err
	}
	st.Finished = time.Now().UTC()
	manifest, _ := json.Marshal(st)
	return st, e.Jobs.Put(ctx, "export-manifest:"+id, manifest, &kvstore.WriteOptions{
		TTL:      new(30 * 24 * time.Hour),
		Metadata: map[string]any{"list": string(list), "rows": st.Rows, "notice": exportNotice}, // EXPECT kvlimits
	})
}

func confirmedAt(s optin.Subscriber) string {
	if s.ConfirmedAt.IsZero() {
		return ""
	}
	return s.ConfirmedAt.Format(time.RFC3339)
}

// StatusOf returns the progress of export id.
func (e *Exporter) StatusOf(ctx context.Context, id string) (Status, bool, error) {
	var st Status
	err := e.Jobs.GetJSON(ctx, "export:"+id, &st)
	if kvstore.IsNotFound(err) {
		return st, false, nil
	}
	return st, err == nil, err
}

// CountSubscribers returns the number of subscribers on list for the list
// overview card.
func (e *Exporter) CountSubscribers(ctx context.Context, list keys.ListID) (int, error) {
	page, err := e.Subs.ListPage(ctx, kvstore.ListOptions{Prefix: keys.SubscriberPrefix(list)}) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	return len(page.Keys), nil
}

const dashboardPageSize = 5

// Row is one subscriber in the dashboard listing.
type Row struct {
	Key     string  `json:"key"`
	Expires float64 `json:"expires,omitzero"`
}

// Page returns one page of the subscriber listing and the cursor of the next
// one, which the dashboard passes back.
func (e *Exporter) Page(ctx context.Context, list keys.ListID, cursor string) ([]Row, string, error) {
	page, err := e.Subs.ListPage(ctx, kvstore.ListOptions{
		Prefix: keys.SubscriberPrefix(list),
		Cursor: cursor,
		Limit:  new(dashboardPageSize), // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	rows := make([]Row, 0, len(page.Keys))
	for _, k := range page.Keys {
		rows = append(rows, Row{Key: k.Name, Expires: k.Expiration})
	}
	return rows, page.Cursor, nil
}

// PurgeStalePending deletes pending sign-ups that never confirmed. The index
// keys are pending:<list>:<unix>:<hash>; at most maxPages pages are read per
// run.
func (e *Exporter) PurgeStalePending(ctx context.Context, list keys.ListID, olderThan time.Duration, maxPages int) (int, error) {
	cutoff := time.Now().Add(-olderThan).Unix()
	prefix := "pending:" + string(list) + ":"
	cursor, purged := "", 0
	for range maxPages {
		page, err := e.Subs.ListPage(ctx, kvstore.ListOptions{ // EXPECT kvlist
			Prefix: prefix,
			Cursor: cursor,
			Limit:  new(2000), // EXPECT kvlimits
		})
		if err != nil {
			return purged, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			var ts int64
			var hash string
			i := 0
			for part := range strings.SplitSeq(strings.TrimPrefix(k.Name, prefix), ":") {
				switch i {
				case 0:
					ts, _ = strconv.ParseInt(part, 10, 64)
				case 1:
					hash = part
				}
				i++
			}
			if ts == 0 || ts > cutoff {
				continue
			}
			if err := e.Subs.Delete(ctx, "sub:"+string(list)+":"+hash); err != nil {
				return purged, err
			}
			if err := e.Subs.Delete(ctx, k.Name); err != nil {
				return purged, err
			}
			purged++
		}
		if page.Done() {
			break
		}
		cursor = page.Cursor
	}
	return purged, nil
}

// Topics returns the distinct topics used by subscribers of list, reading at
// most 10,000 subscriber keys' metadata.
func (e *Exporter) Topics(ctx context.Context, list keys.ListID) ([]string, error) {
	seen := make(map[string]bool)
	for k, err := range e.Subs.Scan(ctx, keys.SubscriberPrefix(list), 10_000) {
		if err != nil {
			return nil, err
		}
		if t, ok := k.Metadata["topics"].(string); ok {
			for topic := range strings.FieldsSeq(t) {
				seen[topic] = true
			}
		}
	}
	out := slices.Collect(maps.Keys(seen))
	slices.Sort(out)
	return out, nil
}
