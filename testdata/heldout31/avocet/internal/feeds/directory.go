package feeds

import (
	"context"
	"net/http"
	"time"

	"example.com/avocet/internal/httpx"

	"example.com/avocet/internal/ops"
)

// The public podcast directory is a GraphQL API. Responses are cached so the
// discover page does not call it on every view.

const directoryQuery = `query Directory($country: String!, $first: Int!) {
  charts(country: $country, first: $first) {
    edges {
      node {
        id
        title
        author
        artwork { url(size: 600) width height }
        categories { id name parent { id name } }
        latestEpisode { id title publishedAt duration enclosure { url length mimeType } }
        rating { average count }
        links { website rss apple spotify }
        description(format: PLAIN, maxLength: 280)
        language
        explicit
        owner { name website }
        episodeCount
        updatedAt
      }
      rank
      movement
    }
    pageInfo { hasNextPage endCursor }
  }
}`

// Directory queries the public podcast directory through the cache.
type Directory struct {
	exec     ops.Exec
	endpoint string
	client   *http.Client
}

func NewDirectory(exec ops.Exec, endpoint string, client *http.Client) *Directory {
	return &Directory{exec: exec, endpoint: endpoint, client: client}
}

// cached is cache-aside over the ops chain: read, on a miss load and store.
func (d *Directory) cached(ctx context.Context, key string, ttl time.Duration, load func(context.Context) ([]byte, error)) ([]byte, error) {
	res, err := d.exec(ctx, ops.Get(key))
	if err != nil {
		return nil, err
	}
	if res.Found {
		return res.Value, nil
	}
	v, err := load(ctx)
	if err != nil {
		return nil, err
	}
	return v, d.exec.Do(ctx, ops.Put(key, v, ttl))
}

func (d *Directory) Charts(ctx context.Context, country string) ([]byte, error) {
	vars := map[string]any{"country": country, "first": 50}
	return d.cached(ctx, "gql:"+country+":"+directoryQuery, 6*time.Hour, d.query(directoryQuery, vars)) // EXPECT kvlimits
}

func (d *Directory) query(q string, vars map[string]any) func(context.Context) ([]byte, error) {
	return func(ctx context.Context) ([]byte, error) {
		body := httpx.JSON(map[string]any{"query": q, "variables": vars})
		return httpx.Do(ctx, d.client, http.MethodPost, d.endpoint, body, "Content-Type", "application/json")
	}
}
