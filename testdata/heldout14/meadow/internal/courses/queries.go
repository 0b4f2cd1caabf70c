package courses

import (
	"context"
	"encoding/json"
	"time"

	"example.com/meadow/internal/storage"
)

const popularCoursesSQL = `SELECT c.id, c.slug, c.title
FROM courses c
JOIN tenants t ON t.id = c.tenant_id AND t.listed = TRUE AND t.suspended_at IS NULL
JOIN (
    SELECT e.course_id, COUNT(*) AS learners
    FROM enrolments e
    WHERE e.created_at > NOW() - INTERVAL '30 days' AND e.status IN ('active', 'completed')
    GROUP BY e.course_id
) recent ON recent.course_id = c.id
LEFT JOIN course_ratings r ON r.course_id = c.id
WHERE c.open = TRUE AND c.published_at IS NOT NULL AND c.archived_at IS NULL
GROUP BY c.id, c.slug, c.title, recent.learners
HAVING COUNT(r.id) >= 5
ORDER BY recent.learners DESC, AVG(r.stars) DESC NULLS LAST, c.published_at DESC
LIMIT 24`

// Queries answers platform-wide catalog questions.
type Queries struct {
	Cache storage.Store
	List  storage.Lister
	Src   Source
}

// Popular returns the platform's most popular open courses.
func (q Queries) Popular(ctx context.Context) ([]Summary, error) {
	const key = "sql:" + popularCoursesSQL // EXPECT kvlimits
	if b, err := q.Cache.Get(ctx, key); err == nil {
		var out []Summary
		if json.Unmarshal(b, &out) == nil {
			return out, nil
		}
	} else if !storage.IsNotFound(err) {
		return nil, err
	}
	out, err := q.Src.Popular(ctx, 24)
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(out)
	if err := q.Cache.Put(ctx, key, b, storage.PutOptions{TTL: 15 * time.Minute}); err != nil {
		return out, nil
	}
	return out, nil
}

// Recent returns one page of a tenant's published courses, newest keys first
// as KV orders them, with the cursor for the next page.
func (q Queries) Recent(ctx context.Context, tenantID, cursor string) ([]Summary, string, error) {
	page, err := q.List.List(ctx, storage.ListQuery{Prefix: publishedKey(tenantID, "") + "/", Cursor: cursor, Limit: 5}) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	out := make([]Summary, 0, len(page.Keys))
	for _, k := range page.Keys {
		s := Summary{ID: k.Name}
		if t, ok := k.Metadata["title"].(string); ok {
			s.Title = t
		}
		if sl, ok := k.Metadata["slug"].(string); ok {
			s.Slug = sl
		}
		out = append(out, s)
	}
	return out, page.Cursor, nil
}
