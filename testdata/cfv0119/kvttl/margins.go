package kvttl

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// tokenCache keeps a platform's access tokens until shortly before they
// expire, by the expires_in that the platform's OAuth answer gives.
type tokenCache struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

type oauthAnswer struct {
	AccessToken string
	ExpiresIn   int
}

const refreshSkew = 5 * time.Minute

func (c *tokenCache) putTTL(ctx context.Context, key, value string, ttl time.Duration) error {
	p := cloudflare.WriteWorkersKVEntriesParams{NamespaceID: c.ns, KVs: []*cloudflare.WorkersKVPair{{Key: key, Value: value, ExpirationTTL: int(ttl.Seconds())}}}
	_, err := c.api.WriteWorkersKVEntries(ctx, c.rc, p)
	return err
}

// The platform's lifetime less the skew: a token that lives five minutes
// or less leaves nothing, or less than nothing.
func (c *tokenCache) keep(ctx context.Context, team string, a oauthAnswer) error {
	if a.ExpiresIn <= 0 {
		return nil
	}
	return c.putTTL(ctx, "bot:"+team, a.AccessToken, time.Duration(a.ExpiresIn)*time.Second-refreshSkew) // want `is a lifetime known only at run time less a fixed margin`
}

// Quiet: the margin is taken, then a floor of a minute put under it.
func (c *tokenCache) keepClamped(ctx context.Context, team string, a oauthAnswer) error {
	return c.putTTL(ctx, "bot:"+team, a.AccessToken, max(time.Duration(a.ExpiresIn)*time.Second-refreshSkew, time.Minute))
}

// Quiet: a wrapper's margin off what its callers give, and they give an
// hour.
func (c *tokenCache) putLess(ctx context.Context, key, value string, ttl time.Duration) error {
	return c.putTTL(ctx, key, value, ttl-refreshSkew)
}

func (c *tokenCache) keepHour(ctx context.Context, team, token string) error {
	return c.putLess(ctx, "bot:"+team, token, time.Hour)
}

// Quiet: a margin off a constant is a constant.
func (c *tokenCache) keepDay(ctx context.Context, team, token string) error {
	return c.putTTL(ctx, "bot:"+team, token, 24*time.Hour-refreshSkew)
}

// The platform's lifetime handed to the wrapper that takes the margin
// off: reported at the argument.
func (c *tokenCache) keepLess(ctx context.Context, team string, a oauthAnswer) error {
	return c.putLess(ctx, "bot:"+team, a.AccessToken, time.Duration(a.ExpiresIn)*time.Second) // want `\(passed to tokenCache.putLess\) is a lifetime known only at run time less a fixed margin`
}
