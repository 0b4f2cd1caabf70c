package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"example.com/kestrel/internal/store"
)

// orgInsightsQuery is sent to the GitHub GraphQL API for the org overview.
const orgInsightsQuery = `query OrgInsights($login: String!) {
  organization(login: $login) {
    name
    membersWithRole { totalCount }
    repositories(first: 20, orderBy: {field: PUSHED_AT, direction: DESC}, privacy: PUBLIC) {
      totalCount
      nodes {
        nameWithOwner
        pushedAt
        stargazerCount
        forkCount
        primaryLanguage { name color }
        defaultBranchRef { name target { ... on Commit { history(first: 1) { nodes { committedDate author { name } } } } } }
        issues(states: OPEN) { totalCount }
        pullRequests(states: OPEN) { totalCount }
        releases(first: 1, orderBy: {field: CREATED_AT, direction: DESC}) { nodes { tagName publishedAt } }
      }
    }
  }
}`

// Insights caches GitHub organisation overviews.
type Insights struct {
	St       store.Store
	CacheFor time.Duration
	// Fetch runs a GraphQL query against api.github.com.
	Fetch func(ctx context.Context, query string, vars map[string]any) (json.RawMessage, error)
}

func insightsKey(org string) string {
	return "gh/gql/" + orgInsightsQuery + "/" + org // EXPECT kvlimits
}

type insightsRequest struct{ Org string }

func (r *insightsRequest) Bind(req *http.Request) error { r.Org = req.PathValue("org"); return nil }

// Get returns the cached overview, refreshing it from GitHub on a miss.
func (in *Insights) Get(ctx context.Context, req insightsRequest) (json.RawMessage, error) {
	key := insightsKey(req.Org)
	v, err := in.St.Get(ctx, key)
	if err == nil {
		return json.RawMessage(v), nil
	}
	if !store.IsNotFound(err) {
		return nil, err
	}
	data, err := in.Fetch(ctx, orgInsightsQuery, map[string]any{"login": req.Org})
	if err != nil {
		return nil, err
	}
	if err := in.St.Put(ctx, key, string(data), in.CacheFor); err != nil {
		return nil, err
	}
	return data, nil
}
