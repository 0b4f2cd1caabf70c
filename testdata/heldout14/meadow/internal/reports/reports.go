// Package reports builds CSV exports for tenant admins from the legacy
// progress namespace (cloudflare-go v3).
package reports

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"example.com/meadow/internal/legacy/progress"
)

// Exporter reads progress summaries.
type Exporter struct {
	Client    *cloudflare.Client
	AccountID string
	Namespace string
	MaxPages  int
}

func (e Exporter) load(ctx context.Context, key string) (progress.Summary, error) {
	var s progress.Summary
	resp, err := e.Client.KV.Namespaces.Values.Get(ctx, e.Namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(e.AccountID),
	})
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	return s, json.NewDecoder(resp.Body).Decode(&s)
}

// ProgressCSV writes one row per learner of tenantID: learner, courses
// completed, lessons completed, last activity.
func (e Exporter) ProgressCSV(ctx context.Context, w io.Writer, tenantID string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"learner", "courses", "lessons", "last_activity"}); err != nil {
		return err
	}
	cursor := ""
	for page := 0; page < e.MaxPages; page++ {
		params := kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(e.AccountID),
			Prefix:    cloudflare.F("progress:"),
			Limit:     cloudflare.F(1000.0),
		}
		if cursor != "" {
			params.Cursor = cloudflare.F(cursor)
		}
		res, err := e.Client.KV.Namespaces.Keys.List(ctx, e.Namespace, params)
		if err != nil {
			return err
		}
		for _, k := range res.Result {
			s, err := e.load(ctx, k.Name) // EXPECT kvlist
			if err != nil || s.Tenant != tenantID {
				continue
			}
			lessons := 0
			for _, ls := range s.Completed {
				lessons += len(ls)
			}
			row := []string{s.Learner, strconv.Itoa(len(s.Completed)), strconv.Itoa(lessons), s.Updated.Format(time.RFC3339)}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
		cursor = res.ResultInfo.Cursor
		if cursor == "" {
			break
		}
	}
	cw.Flush()
	return cw.Error()
}

// LearnerCSV writes one learner's completed lessons, one row per lesson.
func (e Exporter) LearnerCSV(ctx context.Context, w io.Writer, learner string) error {
	resp, _ := e.Client.KV.Namespaces.Values.Get(ctx, e.Namespace, progress.Key(learner), kv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(e.AccountID),
	})
	defer resp.Body.Close()
	var s progress.Summary
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return err
	}
	courses := make([]string, 0, len(s.Completed))
	for c := range s.Completed {
		courses = append(courses, c)
	}
	sort.Strings(courses)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"course", "lesson"})
	for _, c := range courses {
		for _, l := range s.Completed[c] {
			_ = cw.Write([]string{c, strings.TrimSpace(l)})
		}
	}
	cw.Flush()
	return cw.Error()
}
