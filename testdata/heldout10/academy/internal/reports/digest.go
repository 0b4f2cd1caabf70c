package reports

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/academy/internal/kvstore"
)

// cohortRetentionSQL is the query behind the cohort retention chart.
const cohortRetentionSQL = `
SELECT date_trunc('week', e.enrolled_at) AS cohort_week,
       c.id AS course_id,
       count(DISTINCT e.learner_id) AS enrolled,
       count(DISTINCT CASE WHEN p.completed_at < e.enrolled_at + interval '7 days' THEN e.learner_id END) AS active_week_1,
       count(DISTINCT CASE WHEN p.completed_at < e.enrolled_at + interval '28 days' THEN e.learner_id END) AS active_week_4,
       count(DISTINCT CASE WHEN cert.issued_at IS NOT NULL THEN e.learner_id END) AS certified
FROM enrolments e
JOIN courses c ON c.id = e.course_id
LEFT JOIN lesson_progress p ON p.learner_id = e.learner_id AND p.course_id = e.course_id
LEFT JOIN certificates cert ON cert.learner_id = e.learner_id AND cert.course_id = e.course_id
WHERE e.enrolled_at >= now() - interval '26 weeks'
GROUP BY 1, 2
ORDER BY 1 DESC, 2`

// cohortRetention caches the chart data under its query text, so a change
// to the query starts a fresh cache entry.
func (n *Nightly) cohortRetention(ctx context.Context) error {
	rows, err := n.wh.Cohorts(ctx, cohortRetentionSQL)
	if err != nil {
		return err
	}
	return kvstore.PutJSON(ctx, n.store, "report:sql:"+cohortRetentionSQL, rows, kvstore.WithTTL(26*time.Hour)) // EXPECT kvlimits
}

const badgeCount = 240

// BadgeCatalog loads every badge definition for the digest renderer.
func (n *Nightly) BadgeCatalog(ctx context.Context) (map[string]any, error) {
	names := make([]string, 0, badgeCount)
	for i := 1; i <= badgeCount; i++ {
		names = append(names, fmt.Sprintf("badge:%03d", i))
	}
	params := kv.NamespaceBulkGetParams{AccountID: cloudflare.F(n.account), Keys: cloudflare.F(names), Type: cloudflare.F(kv.NamespaceBulkGetParamsTypeJson)}
	res, err := n.ns.BulkGet(ctx, n.nsID, params) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	return bulkValues(res), nil
}

// CourseCards fetches the course cards featured in the weekly digest,
// 100 keys per request as the bulk API allows.
func (n *Nightly) CourseCards(ctx context.Context, courseIDs []string) (map[string]any, error) {
	out := map[string]any{}
	for chunk := range slices.Chunk(courseIDs, 100) {
		names := make([]string, len(chunk))
		for i, id := range chunk {
			names[i] = "card:" + id
		}
		res, err := n.ns.BulkGet(ctx, n.nsID, kv.NamespaceBulkGetParams{AccountID: cloudflare.F(n.account), Keys: cloudflare.F(names)})
		if err != nil {
			return nil, err
		}
		for k, v := range bulkValues(res) {
			if v != nil {
				out[k] = v
			}
		}
	}
	return out, nil
}

func bulkValues(res *kv.NamespaceBulkGetResponse) map[string]any {
	out := map[string]any{}
	if r, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult); ok {
		for k, v := range r.Values {
			out[k] = v
		}
	}
	return out
}
