package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/trogon-edge/trogon/internal/kvrest"
	"github.com/trogon-edge/trogon/internal/site"
)

// TokenCmd groups deploy-token subcommands. Tokens are minted by the
// Terraform provider; the CLI only revokes them in an emergency.
type TokenCmd struct {
	Revoke TokenRevokeCmd `cmd:"" help:"Revoke a leaked deploy token by its ID."`
}

type TokenRevokeCmd struct {
	ID     string `arg:""`
	Reason string `default:"revoked from CLI"`
}

func (c *TokenRevokeCmd) Run(ctx *Context, store *kvrest.Store) error {
	body, _ := json.Marshal(map[string]any{"at": time.Now().UTC(), "reason": c.Reason})
	if err := store.Put(ctx, site.RevokedKey(c.ID), string(body), 90*24*time.Hour); err != nil { // EXPECT kvsession
		return err
	}
	fmt.Fprintf(ctx.Out, "token %s revoked\n", c.ID)
	return nil
}

// LockCmd inspects or breaks a stuck deploy lock.
type LockCmd struct {
	Site  string `arg:""`
	Break bool   `help:"Remove the lock."`
}

func (c *LockCmd) Run(ctx *Context, store *kvrest.Store) error {
	raw, err := store.Get(ctx, site.LockKey(c.Site))
	if errors.Is(err, kvrest.ErrNotFound) {
		fmt.Fprintln(ctx.Out, "not locked")
		return nil
	}
	if err != nil {
		return err
	}
	var l site.Lock
	_ = json.Unmarshal(raw, &l)
	fmt.Fprintf(ctx.Out, "locked by %s since %s (%s)\n", l.Holder, l.Since.Format(time.RFC3339), l.DeployID)
	if c.Break {
		return store.Delete(ctx, site.LockKey(c.Site))
	}
	return nil
}

// defaultCSP is the policy every site gets unless it ships its own
// _headers file.
const defaultCSP = "default-src 'self'; " +
	"script-src 'self' 'unsafe-inline' https://static.cloudflareinsights.com https://challenges.cloudflare.com https://www.googletagmanager.com https://www.google-analytics.com https://cdn.jsdelivr.net https://unpkg.com https://js.stripe.com https://checkout.stripe.com https://plausible.io https://cdn.segment.com; " +
	"style-src 'self' 'unsafe-inline' https://fonts.googleapis.com https://cdn.jsdelivr.net https://unpkg.com; " +
	"img-src 'self' data: blob: https://*.trogon.site https://images.unsplash.com https://www.google-analytics.com https://www.googletagmanager.com https://*.stripe.com https://avatars.githubusercontent.com https://secure.gravatar.com; " +
	"font-src 'self' data: https://fonts.gstatic.com https://cdn.jsdelivr.net; " +
	"connect-src 'self' https://*.trogon.site https://api.trogon.dev https://cloudflareinsights.com https://www.google-analytics.com https://region1.google-analytics.com https://plausible.io https://api.segment.io https://api.stripe.com https://o0.ingest.sentry.io; " +
	"frame-src 'self' https://challenges.cloudflare.com https://js.stripe.com https://hooks.stripe.com https://www.youtube-nocookie.com https://player.vimeo.com; " +
	"media-src 'self' blob: https://*.trogon.site; worker-src 'self' blob:; manifest-src 'self'; " +
	"form-action 'self' https://checkout.stripe.com; frame-ancestors 'none'; base-uri 'self'; object-src 'none'; upgrade-insecure-requests; " +
	"report-uri https://csp.trogon.dev/report; report-to csp-endpoint"

var defaultHeaders = map[string]string{
	"Strict-Transport-Security": "max-age=63072000; includeSubDomains; preload",
	"X-Content-Type-Options":    "nosniff",
	"Referrer-Policy":           "strict-origin-when-cross-origin",
	"Permissions-Policy":        "camera=(), microphone=(), geolocation=()",
}

// HeadersCmd publishes the default headers. The CSP is also copied into
// the key's metadata so the Worker's listing shows it without a get.
type HeadersCmd struct {
	Site string `arg:""`
}

func (c *HeadersCmd) Run(ctx *Context, store *kvrest.Store) error {
	h := map[string]string{"Content-Security-Policy": defaultCSP}
	for k, v := range defaultHeaders {
		h[k] = v
	}
	body, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return store.Write(ctx, "headers/"+c.Site, kv.NamespaceValueUpdateParams{
		Value:    cloudflare.F(string(body)),
		Metadata: cloudflare.F[any](map[string]any{"csp": defaultCSP, "v": 3}), // EXPECT kvlimits
	})
}
