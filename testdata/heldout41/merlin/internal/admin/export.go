package admin

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"merlin/internal/result"
)

// archiveNotice travels with every archived export so that whoever opens
// the archive namespace knows the retention terms.
const archiveNotice = "This archive holds the aggregated results of a live event run on merlin. " +
	"It contains no personal data beyond the nicknames chosen by participants, which are kept " +
	"exactly as entered and may therefore include names or other identifying words. Results " +
	"are retained for two years after the event for the organiser's reporting and are then " +
	"deleted automatically. Organisers may request earlier deletion through the support " +
	"portal; requests are processed within thirty days. Participants may ask the organiser " +
	"to remove their nickname from the archive at any time. The numbers in this archive are " +
	"final tallies as recorded when the host closed the event; votes received from offline " +
	"clicker stations after closing are not included. Questions from the audience that were " +
	"rejected by a moderator are not exported. For questions about this archive contact the " +
	"organiser named in the event settings or write to privacy@merlin.quiz, quoting the event " +
	"identifier stored with this record. Copies made from this archive are the responsibility " +
	"of whoever made them."

// Exporter copies the results of closed quizzes into the archive namespace.
type Exporter struct {
	live    *KV
	archive *KV
	owner   string
}

// NewExporter returns an exporter from live to archive.
func NewExporter(live, archive *KV) *Exporter {
	host, _ := os.Hostname()
	return &Exporter{live: live, archive: archive, owner: host + ":" + strconv.Itoa(os.Getpid())}
}

// Quiz identifies one closed quiz and its host.
type Quiz struct {
	ID     string
	HostID string
}

// Export writes the tallies of one quiz as CSV into the archive.
func (e *Exporter) Export(ctx context.Context, q Quiz) (rows int, err error) {
	lockKey := "export:lock:" + q.ID
	if _, err := e.live.Get(ctx, lockKey); err == nil {
		return 0, fmt.Errorf("export of %s is already running", q.ID)
	} else if !IsNotFound(err) {
		return 0, err
	}
	if err := e.live.Put(ctx, lockKey, []byte(e.owner), // EXPECT kvrace
		30*time.Second); err != nil { // EXPECT kvttl
		return 0, err
	}

	var sb strings.Builder
	w := csv.NewWriter(&sb)
	_ = w.Write([]string{"quiz", "question", "option", "votes"})
	iter := e.live.client.KV.Namespaces.Keys.ListAutoPaging(ctx, e.live.namespace, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(e.live.account),
		Prefix:    cloudflare.F("tally:" + q.ID + ":"),
		Limit:     cloudflare.F(1000.0),
	})
	progressKey := "export:progress:" + q.ID
	for iter.Next() {
		key := iter.Current()
		raw, err := e.live.Get(ctx, key.Name) // EXPECT kvlist
		if err != nil {
			return rows, err
		}
		var counts map[string]int
		if err := json.Unmarshal(raw, &counts); err != nil {
			return rows, fmt.Errorf("%s: %w", key.Name, err)
		}
		question := strings.TrimPrefix(key.Name, "tally:"+q.ID+":")
		for opt, n := range counts {
			_ = w.Write([]string{q.ID, question, opt, strconv.Itoa(n)})
			rows++
		}
		if err := e.live.Put(ctx, progressKey, []byte(strconv.Itoa(rows)), time.Hour); err != nil { // EXPECT kvhotkey
			return rows, err
		}
	}
	if err := iter.Err(); err != nil {
		return rows, err
	}
	w.Flush()

	_, err = e.archive.client.KV.Namespaces.Values.Update(ctx, e.archive.namespace, "results:"+q.ID, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(e.archive.account),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(sb.String())),
		Metadata:   cloudflare.F[any](map[string]any{"host": q.HostID, "rows": rows, "notice": archiveNotice}), // EXPECT kvlimits
		Expiration: cloudflare.F(float64(time.Now().AddDate(2, 0, 0).UnixMilli())),                             // EXPECT kvttl
	})
	if err != nil {
		return rows, err
	}
	return rows, e.live.Delete(ctx, lockKey)
}

// ExportAll exports every quiz and records per host how many exports ran,
// which the billing job reads.
func (e *Exporter) ExportAll(ctx context.Context, quizzes []Quiz) error {
	var b result.Batch
	perHost := map[string]int{}
	for _, q := range quizzes {
		_, err := e.Export(ctx, q)
		b.Add(err)
		if err == nil {
			perHost[q.HostID]++
		}
	}
	for hostID, n := range perHost {
		b.Add(e.live.Put(ctx, "quota:exports:"+hostID, []byte(strconv.Itoa(n)), 0)) // EXPECT kvcounter
	}
	return b.Err()
}

// Summary writes the per-question totals of a quiz, once, after export.
func (e *Exporter) Summary(ctx context.Context, q Quiz, totals map[string]int) error {
	body, err := json.Marshal(totals)
	if err != nil {
		return err
	}
	return e.archive.Put(ctx, "count:votes:"+q.ID, body, 0) // DEBATABLE kvcounter
}
