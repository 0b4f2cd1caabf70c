package kvlimits

import (
	"context"

	"kvlint.test/cfv6/keys"
)

const queryText = "query Overview($login: String!) { organization(login: $login) { name repositories(first: 20) { totalCount nodes { nameWithOwner pushedAt stargazerCount forkCount primaryLanguage { name color } issues(states: OPEN) { totalCount } pullRequests(states: OPEN) { totalCount } releases(first: 1) { nodes { tagName publishedAt } } } } membersWithRole { totalCount } projectsV2(first: 5) { nodes { title } } } } # cached overview for the dashboard, keyed by the query text and the login so that a change of query starts a fresh cache entry"

// overviewKey joins the query text into every key: the helper's line is
// where the long key is built, once for all its callers.
func overviewKey(org string) string {
	return "gql/" + queryText + "/" + org // want `the constant part of this key is already \d+ bytes`
}

func (c *client) cacheOverview(ctx context.Context, org, v string) error {
	key := overviewKey(org)
	return c.write(ctx, key, v)
}

func (c *client) refreshOverview(ctx context.Context, org, v string) error {
	return c.write(ctx, overviewKey(org), v)
}

// Quiet: the query text hashed by a helper of another package.
func (c *client) cacheOverviewDigest(ctx context.Context, org, v string) error {
	return c.write(ctx, "gql/"+keys.Digest(queryText)+"/"+org, v)
}

// Quiet: one long prefix or the other, never both.
func (c *client) cacheEither(ctx context.Context, full bool, org, v string) error {
	prefix := "gql/short/"
	if full {
		prefix = "gql/" + queryText[:300] + "/"
	}
	return c.write(ctx, prefix+org, v)
}
